"""Keras losses. Functions return one loss per sample; Loss objects reduce to a scalar.

The class axis is the API's last axis, which is dimension 1 of an NCHW output.
A cross-entropy after a softmax/sigmoid output layer is computed from that layer's logits
(`fuses`), the numerically stable form, rather than from clipped probabilities.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.backend import epsilon, to_snake_case
from cnnkit.layers.layout import runtime_dim
from cnnkit.utils import custom_objects

EPSILON = epsilon()  # Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON]


def _tensors(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = torch.as_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.float()
    return torch.as_tensor(y_true, device=y_pred.device), y_pred


def _class_dim(y_pred: torch.Tensor) -> int:
    return runtime_dim(-1, y_pred.dim())


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0):
    """-sum(y_true * log(y_pred)) over classes; y_true one-hot (or soft) like y_pred."""
    y_true, y_pred = _tensors(y_true, y_pred)
    dim = _class_dim(y_pred)
    y_true = y_true.to(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[dim]
    if from_logits:
        log_probs = torch.log_softmax(y_pred, dim=dim)
    else:
        probs = y_pred / y_pred.sum(dim=dim, keepdim=True)
        log_probs = torch.log(probs.clamp(EPSILON, 1.0 - EPSILON))
    return -(y_true * log_probs).sum(dim=dim)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False):
    """-log(y_pred[label]) with integer labels; y_true has no class axis (or a trailing 1)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    dim = _class_dim(y_pred)
    labels = y_true.long()
    if labels.dim() == y_pred.dim():  # Keras accepts labels with a trailing axis of size 1
        labels = labels.squeeze(-1)
    if from_logits:
        log_probs = torch.log_softmax(y_pred, dim=dim)
    else:
        probs = y_pred / y_pred.sum(dim=dim, keepdim=True)
        log_probs = torch.log(probs.clamp(EPSILON, 1.0 - EPSILON))
    return F.nll_loss(log_probs, labels, reduction="none")


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0):
    """Mean over the last axis of -(y log p + (1 - y) log(1 - p))."""
    y_true, y_pred = _tensors(y_true, y_pred)
    y_true = y_true.to(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per_value = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        p = y_pred.clamp(EPSILON, 1.0 - EPSILON)
        per_value = -(y_true * torch.log(p) + (1.0 - y_true) * torch.log(1.0 - p))
    return per_value.mean(dim=_class_dim(y_pred))


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _tensors(y_true, y_pred)
    return (y_pred - y_true.to(y_pred.dtype)).square().mean(dim=_class_dim(y_pred))


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _tensors(y_true, y_pred)
    return (y_pred - y_true.to(y_pred.dtype)).abs().mean(dim=_class_dim(y_pred))


def huber(y_true, y_pred, delta: float = 1.0):
    y_true, y_pred = _tensors(y_true, y_pred)
    per_value = F.huber_loss(y_pred, y_true.to(y_pred.dtype), reduction="none", delta=delta)
    return per_value.mean(dim=_class_dim(y_pred))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


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


class CategoricalCrossentropy(Loss):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.fuses = None if from_logits else "softmax"

    def call(self, y_true, y_pred):
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def call_on_logits(self, y_true, logits):
        return categorical_crossentropy(y_true, logits, True, self.label_smoothing)

    def fast_mean_on_logits(self, y_true, logits):
        """The unweighted mean from logits in torch's single fused kernel."""
        return F.cross_entropy(logits, y_true, label_smoothing=self.label_smoothing)


class SparseCategoricalCrossentropy(Loss):
    def __init__(self, from_logits: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.from_logits = from_logits
        self.fuses = None if from_logits else "softmax"

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def call_on_logits(self, y_true, logits):
        return sparse_categorical_crossentropy(y_true, logits, True)

    def fast_mean_on_logits(self, y_true, logits):
        return F.cross_entropy(logits, y_true)


class BinaryCrossentropy(Loss):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.fuses = None if from_logits else "sigmoid"

    def call(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def call_on_logits(self, y_true, logits):
        return binary_crossentropy(y_true, logits, True, self.label_smoothing)


class MeanSquaredError(Loss):
    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Loss):
    def call(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)


class Huber(Loss):
    def __init__(self, delta: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if delta <= 0:
            raise ValueError(f"Huber: delta must be positive; received delta={delta}.")
        self.delta = delta

    def call(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta)


class LossFunctionWrapper(Loss):
    """Any `fn(y_true, y_pred)` returning per-sample losses (or already a scalar)."""

    def __init__(self, fn: Callable, **kwargs) -> None:
        super().__init__(name=kwargs.pop("name", getattr(fn, "__name__", "loss")), **kwargs)
        self.fn = fn

    def call(self, y_true, y_pred):
        return torch.as_tensor(self.fn(y_true, y_pred))


_BY_NAME: dict[str, Callable[[], Loss]] = {
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "huber": Huber,
    "huber_loss": Huber,
}
_BY_FUNCTION: dict[Callable, Callable[[], Loss]] = {
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    binary_crossentropy: BinaryCrossentropy,
    mean_squared_error: MeanSquaredError,
    mean_absolute_error: MeanAbsoluteError,
    huber: Huber,
}


def get(identifier: str | Loss | Callable) -> Loss:
    """A Loss from a Keras name, a Loss object, a Keras loss function, or any callable."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and custom_objects.lookup(identifier) is not None:
        identifier = custom_objects.lookup(identifier)  # a user's object named in a saved model
    from cnnkit.training import more_losses  # the other Keras losses, built on Loss above

    if isinstance(identifier, str):
        by_name = {**_BY_NAME, **more_losses.BY_NAME}
        try:
            return by_name[identifier.lower()]()
        except KeyError:
            known = ", ".join(sorted(by_name))
            raise ValueError(f"Unknown loss {identifier!r}. Expected one of: {known}.") from None
    by_function = {**_BY_FUNCTION, **more_losses.BY_FUNCTION}
    if identifier in by_function:
        return by_function[identifier]()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"loss must be a name, a Loss or a callable; received {identifier!r}.")
