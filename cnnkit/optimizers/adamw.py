"""Adam with decoupled weight decay."""

from __future__ import annotations

import torch

from cnnkit.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay; Keras default weight_decay 0.004."""

    torch_class = torch.optim.AdamW

    def __init__(self, learning_rate: float = 0.001, weight_decay: float = 0.004, **kwargs) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)

    def _torch_arguments(self) -> dict:
        return {**super()._torch_arguments(), "weight_decay": self.weight_decay}

    def _decays_itself(self) -> bool:
        return True
