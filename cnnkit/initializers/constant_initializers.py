"""Constant, Zeros and Ones."""

from __future__ import annotations

import torch

from cnnkit.common import registry
from cnnkit.initializers.initializer import Initializer


class Constant(Initializer):
    def __init__(self, value: float = 0.0) -> None:
        self.value = float(value)

    def __call__(self, shape, dtype=None):
        return torch.full(tuple(shape), self.value, dtype=dtype or torch.float32)

    def get_config(self) -> dict:
        return {"value": self.value}


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


for _cls, _name in ((Zeros, "zeros"), (Ones, "ones"), (Constant, "constant")):
    registry.register("initializer", _cls, _name, _cls.__name__)
