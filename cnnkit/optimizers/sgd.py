"""Stochastic gradient descent (with momentum)."""

from __future__ import annotations

import torch

from cnnkit.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum. Keras default lr 0.01."""

    torch_class = torch.optim.SGD

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1); received momentum={momentum!r}.")
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0.")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _torch_arguments(self) -> dict:
        return {"momentum": self.momentum, "nesterov": self.nesterov}

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
