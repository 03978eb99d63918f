"""ActivityRegularization: an L1/L2 penalty on what passes through."""

from __future__ import annotations

import torch

from cnnkit import regularizers
from cnnkit.layers.layer import Layer


class ActivityRegularization(Layer):
    """Passes its input through, adding `l1 * sum(|x|) + l2 * sum(x ** 2)` (divided by the batch
    size) to the loss of each training and evaluation step, as Keras's layer does."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs) -> None:
        kwargs.pop("activity_regularizer", None)  # a saved config holds it; l1 and l2 say the same
        super().__init__(activity_regularizer=regularizers.L1L2(l1, l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def get_config(self) -> dict:
        config = {**super().get_config(), "l1": self.l1, "l2": self.l2}
        del config["activity_regularizer"]
        return config
