"""Constant, Zeros, Ones and Identity."""

from __future__ import annotations

import numpy as np
import torch

from cnnkit.common import registry
from cnnkit.initializers.initializer import Initializer


class Constant(Initializer):
    """Every weight `value`; an array `value` (Keras 2 programs pass one) is broadcast to the
    weight's Keras-layout shape, as NumPy broadcasts."""

    def __init__(self, value=0.0) -> None:
        array = np.asarray(value, dtype=np.float64)
        self.value = float(array) if array.ndim == 0 else array

    def __call__(self, shape, dtype=None):
        dtype = dtype or torch.float32
        if isinstance(self.value, float):
            return torch.full(tuple(shape), self.value, dtype=dtype)
        try:
            return torch.as_tensor(np.broadcast_to(self.value, tuple(shape)).copy(), dtype=dtype)
        except ValueError:
            raise ValueError(
                f"Constant: a value of shape {self.value.shape} does not fit a weight of shape {tuple(shape)}"
            ) from None

    def get_config(self) -> dict:
        return {"value": self.value if isinstance(self.value, float) else self.value.tolist()}


class Identity(Initializer):
    """The identity matrix times `gain`, for a 2-D weight (Le et al. 2015's IRNN recurrent kernel)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = float(gain)

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity: only 2-D weights have an identity; received shape {tuple(shape)}")
        return self.gain * torch.eye(*shape, dtype=dtype or torch.float32)

    def get_config(self) -> dict:
        return {"gain": self.gain}


class Zeros(Constant):
    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self) -> dict:
        return {}


class Ones(Constant):
    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self) -> dict:
        return {}


for _cls, _name in ((Zeros, "zeros"), (Ones, "ones"), (Constant, "constant"), (Identity, "identity")):
    registry.register("initializer", _cls, _name, _cls.__name__)
