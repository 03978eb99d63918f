"""Adadelta."""

from __future__ import annotations

import torch

from cnnkit.common import keras_defaults
from cnnkit.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012) with Keras 3's defaults: lr 0.001, rho 0.95, epsilon 1e-7 (Keras 2
    used lr 1.0, the paper's setting: pass learning_rate=1.0, or run under Keras 2's defaults)."""

    torch_class = torch.optim.Adadelta

    def __init__(self, learning_rate: float | None = None, rho: float = 0.95, epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(keras_defaults.pick(0.001, keras2=1.0) if learning_rate is None else learning_rate, **kwargs)
        if not 0 <= rho < 1:
            raise ValueError(f"Adadelta: rho must be in [0, 1); received rho={rho!r}.")
        self.rho, self.epsilon = rho, epsilon

    def _torch_arguments(self) -> dict:
        return {"rho": self.rho, "eps": self.epsilon}

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
