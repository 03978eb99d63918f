"""Keras's weight constraints: after every optimizer update, a constrained weight is replaced by
its projection onto the allowed set.

    Dense(128, activation="relu", kernel_constraint=constraints.max_norm(3))

is the max-norm regularization that Srivastava et al. (2014) pair with dropout: each unit's
incoming weight vector is scaled back to norm 3 whenever an update makes it longer. A constraint
sees the weight in Keras's layout (a Dense kernel (inputs, units), a Conv2D kernel (kh, kw, in,
out)), so `axis` means what it means in Keras: axis=0 for Dense, axis=[0, 1, 2] for Conv2D.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from cnnkit.common import object_registration as custom_objects
from cnnkit.common import registry
from cnnkit.session import epsilon


class Constraint:
    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict:
        return {}


def _norms(w: torch.Tensor, axis) -> torch.Tensor:
    dims = [axis] if isinstance(axis, int) else list(axis)
    return w.square().sum(dim=dims, keepdim=True).sqrt()


def _axis(axis, owner: str):
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    if isinstance(axis, (list, tuple)) and axis and all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
        return list(axis)
    raise ValueError(f"{owner}: axis must be an int or a list of ints; received axis={axis!r}")


class MaxNorm(Constraint):
    """Scales each slice along `axis` back to norm `max_value` when it is longer."""

    def __init__(self, max_value: float = 2.0, axis=0) -> None:
        if not isinstance(max_value, (int, float)) or isinstance(max_value, bool) or max_value <= 0:
            raise ValueError(f"MaxNorm: max_value must be a positive number; received max_value={max_value!r}")
        self.max_value, self.axis = float(max_value), _axis(axis, "MaxNorm")

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        return w * (norms.clamp(0, self.max_value) / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights become 0."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w * (w >= 0).to(w.dtype)


class UnitNorm(Constraint):
    """Each slice along `axis` scaled to norm 1."""

    def __init__(self, axis=0) -> None:
        self.axis = _axis(axis, "UnitNorm")

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w / (epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Each slice's norm moved into [min_value, max_value], by `rate` of the way (1: all of it)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis=0) -> None:
        if not 0 <= min_value <= max_value or not 0 < rate <= 1:
            raise ValueError(
                f"MinMaxNorm: needs 0 <= min_value <= max_value and 0 < rate <= 1; received min_value={min_value!r}, "
                f"max_value={max_value!r}, rate={rate!r}"
            )
        self.min_value, self.max_value, self.rate = float(min_value), float(max_value), float(rate)
        self.axis = _axis(axis, "MinMaxNorm")

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        norms = _norms(w, self.axis)
        desired = self.rate * norms.clamp(self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm  # Keras's function names

for _cls, _name in ((MaxNorm, "max_norm"), (NonNeg, "non_neg"), (UnitNorm, "unit_norm"), (MinMaxNorm, "min_max_norm")):
    registry.register("constraint", _cls, _name, _cls.__name__)


def get(identifier) -> Callable | None:
    """A constraint from None, a name ('max_norm', 'non_neg', 'unit_norm', 'min_max_norm'), a
    {"class_name", "config"} dict, or a callable taking and returning the weight."""
    return custom_objects.resolve(
        identifier, registry.table("constraint"), "constraint", "max_norm, non_neg, unit_norm, min_max_norm"
    )


def serialize(constraint) -> dict | str | None:
    if constraint is None:
        return None
    if isinstance(constraint, Constraint):
        return {"class_name": type(constraint).__name__, "config": constraint.get_config()}
    return getattr(constraint, "__name__", type(constraint).__name__)
