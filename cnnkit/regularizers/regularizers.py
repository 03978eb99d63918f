"""Keras's weight regularizers: penalties on a layer's weights that training adds to the loss.

`Dense(64, kernel_regularizer=regularizers.l2(1e-4))` adds `1e-4 * sum(kernel ** 2)` to every
batch's loss (and to the loss `evaluate` reports), as in Keras.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from cnnkit.common import object_registration as custom_objects
from cnnkit.common import registry


class Regularizer:
    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}


def _factor(value, name: str, owner: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{owner}: {name} must be a number >= 0; received {name}={value!r}")
    return float(value)


class L1L2(Regularizer):
    """`l1 * sum(|w|) + l2 * sum(w ** 2)`."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = _factor(l1, "l1", "L1L2"), _factor(l2, "l2", "L1L2")

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        penalty = weight.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * weight.abs().sum()
        if self.l2:
            penalty = penalty + self.l2 * weight.square().sum()
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


def l1(l1: float = 0.01) -> L1:  # noqa: E741 (Keras's name)
    return L1(l1)


def l2(l2: float = 0.01) -> L2:
    return L2(l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    return L1L2(l1, l2)


for _cls, _name in ((L1, "l1"), (L2, "l2"), (L1L2, "l1_l2")):
    registry.register("regularizer", _cls, _name, _cls.__name__)


def get(identifier) -> Callable | None:
    """A regularizer from None, a name ('l1', 'l2', 'l1_l2'), a {"class_name", "config"} dict, or a callable."""
    return custom_objects.resolve(identifier, registry.table("regularizer"), "regularizer", "l1, l2, l1_l2")


def serialize(regularizer) -> dict | str | None:
    if regularizer is None:
        return None
    if isinstance(regularizer, Regularizer):
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    return getattr(regularizer, "__name__", type(regularizer).__name__)
