"""The Loss base class, the wrapper that makes any function a loss, and `get`, which finds a
loss by its Keras name (registered in cnnkit/losses/losses.py) or takes a function or object.

Loss functions return one loss per sample; Loss objects reduce them to a scalar. The class axis is
the API's last axis, which is dimension 1 of an NCHW output.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from cnnkit.common import object_registration as custom_objects
from cnnkit.common import registry
from cnnkit.common.layout import runtime_dim
from cnnkit.session import epsilon, to_snake_case

EPSILON = epsilon()  # Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON]


def as_tensors(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = torch.as_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.float()
    return torch.as_tensor(y_true, device=y_pred.device), y_pred


def class_dim(y_pred: torch.Tensor) -> int:
    return runtime_dim(-1, y_pred.dim())


class Loss:
    """A loss: `loss(y_true, y_pred, sample_weight=None)` returns the batch's scalar loss.

    Reduction 'sum_over_batch_size' (Keras's default) divides the weighted sum by the number of
    per-sample values, so sample weights scale losses without renormalising.
    """

    fuses: str | None = None  # the output activation this loss can absorb, given logits

    def __init__(self, name: str | None = None, reduction: str = "sum_over_batch_size") -> None:
        if reduction not in ("sum_over_batch_size", "sum", "none", "mean"):
            raise ValueError(f"{type(self).__name__}: unknown reduction {reduction!r}.")
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true, y_pred) -> torch.Tensor:
        raise NotImplementedError

    def call_on_logits(self, y_true, logits) -> torch.Tensor:
        raise NotImplementedError

    def reduce(self, values: torch.Tensor, sample_weight) -> torch.Tensor:
        if sample_weight is not None:
            weight = torch.as_tensor(sample_weight, dtype=values.dtype, device=values.device)
            values = values * weight.reshape(weight.shape + (1,) * (values.dim() - weight.dim()))
        if self.reduction == "none":
            return values
        if self.reduction == "sum":
            return values.sum()
        return values.mean()

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        return self.reduce(self.call(y_true, y_pred), sample_weight)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}


def matched_labels(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    """What Keras hands a user's loss or metric function: labels of the predictions' rank (a
    trailing axis of size 1 added or dropped) and float dtype, so `y_true * f(y_pred)` with (N,)
    integer labels against an (N, 1) output stays (N, 1) instead of broadcasting to (N, N)."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    if y_true.dim() == y_pred.dim() - 1 and y_pred.shape[-1] == 1:
        y_true = y_true.unsqueeze(-1)
    elif y_pred.dim() == y_true.dim() - 1 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return y_true.to(y_pred.dtype), y_pred


class LossFunctionWrapper(Loss):
    """Any `fn(y_true, y_pred)` returning per-sample losses (or already a scalar), given labels
    matched to the predictions as Keras matches them (see matched_labels)."""

    def __init__(self, fn: Callable, **kwargs) -> None:
        super().__init__(name=kwargs.pop("name", getattr(fn, "__name__", "loss")), **kwargs)
        self.fn = fn

    def call(self, y_true, y_pred):
        return torch.as_tensor(self.fn(*matched_labels(y_true, y_pred)))


def get(identifier: str | Loss | Callable) -> Loss:
    """A Loss from a Keras name, a Loss object, a Keras loss function, or any callable."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and custom_objects.lookup(identifier) is not None:
        identifier = custom_objects.lookup(identifier)  # a user's object named in a saved model
    if isinstance(identifier, str):
        found = registry.find("loss", identifier)
        if found is None:
            known = ", ".join(name for name in registry.names("loss") if name.islower())
            raise ValueError(f"Unknown loss {identifier!r}. Expected one of: {known}.")
        return found()
    name = getattr(identifier, "__name__", None)
    if name is not None and registry.find("loss_function", name) is identifier:  # Keras's own function
        return registry.find("loss", name)()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"loss must be a name, a Loss or a callable; received {identifier!r}.")
