"""RMSprop."""

from __future__ import annotations

import torch

from cnnkit.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop with Keras defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7."""

    torch_class = torch.optim.RMSprop

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not 0 <= rho < 1:
            raise ValueError(f"RMSprop: rho must be in [0, 1); received rho={rho!r}.")
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, bool(centered)

    def _torch_arguments(self) -> dict:
        return {"alpha": self.rho, "momentum": self.momentum, "eps": self.epsilon, "centered": self.centered}

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon}
