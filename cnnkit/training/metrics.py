"""Keras metrics that accumulate on the device: updating one never waits for the GPU.

`update_state` adds to tensors in place; `result()` returns a tensor; the training loop turns
results into Python numbers once per epoch (or when a progress bar redraws).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from cnnkit.backend import to_snake_case
from cnnkit.layers.layout import runtime_dim
from cnnkit.training.losses import mean_absolute_error, mean_squared_error


def _class_dim(y_pred: torch.Tensor) -> int:
    return runtime_dim(-1, y_pred.dim())


def _labels(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """Integer labels without a class axis (a trailing axis of size 1 is dropped)."""
    if y_true.dim() == y_pred.dim():
        y_true = y_true.squeeze(_class_dim(y_pred))
    return y_true.long()


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    dim = _class_dim(y_pred)
    return (y_true.argmax(dim=dim) == y_pred.argmax(dim=dim)).float()


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    return (_labels(y_true, y_pred) == y_pred.argmax(dim=_class_dim(y_pred))).float()


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    hits = (y_true.to(y_pred.dtype) == (y_pred > threshold).to(y_pred.dtype)).float()
    return hits.mean(dim=_class_dim(y_pred))


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    return sparse_top_k_categorical_accuracy(y_true.argmax(dim=_class_dim(y_pred)), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    dim = _class_dim(y_pred)
    top = y_pred.topk(min(k, y_pred.shape[dim]), dim=dim).indices
    return (top == _labels(y_true, y_pred).unsqueeze(dim)).any(dim=dim).float()


def accuracy(y_true, y_pred) -> torch.Tensor:
    """Exact equality of labels and predictions (Keras's plain `Accuracy`)."""
    return (y_true.to(y_pred.dtype) == y_pred).float()


class Metric:
    """Base class with Keras's interface: update_state, result, reset_state.

    `uses_probabilities`: False for metrics that a softmax cannot change (argmax, top-k), so the
    training loop may hand them logits and skip computing the activation.
    """

    uses_probabilities = True

    def __init__(self, name: str | None = None) -> None:
        self.name = name or to_snake_case(type(self).__name__)

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError

    def result(self) -> torch.Tensor:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def __call__(self, *args, **kwargs) -> torch.Tensor:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name}


class Mean(Metric):
    """The (weighted) mean of the values given to update_state."""

    def __init__(self, name: str = "mean") -> None:
        super().__init__(name)
        self.reset_state()

    def reset_state(self) -> None:
        self.total: torch.Tensor | float = 0.0
        self.count: torch.Tensor | float = 0.0

    def update_state(self, values, sample_weight=None) -> None:
        values = torch.as_tensor(values).detach().float()
        if sample_weight is None:
            self.total = self.total + values.sum()
            self.count = self.count + values.numel()  # a host number: no device work
            return
        weight = torch.as_tensor(sample_weight, device=values.device).detach().float()
        weight = torch.broadcast_to(weight.reshape(weight.shape + (1,) * (values.dim() - weight.dim())), values.shape)
        self.total = self.total + (values * weight).sum()
        self.count = self.count + weight.sum()

    def update_mean(self, mean_value: torch.Tensor, count: int) -> None:
        """Add a batch mean that stands for `count` samples (the loss of a batch)."""
        self.total = self.total + mean_value.detach().float() * count
        self.count = self.count + count

    def state(self) -> list:
        """What a result is computed from, to be summed over processes under torchrun."""
        return [self.total, self.count]

    def set_state(self, values: list[torch.Tensor]) -> None:
        self.total, self.count = values[0].float(), values[1].float()

    def result(self) -> torch.Tensor:
        total = torch.as_tensor(self.total, dtype=torch.float32)
        if isinstance(self.count, torch.Tensor):
            return total / self.count.clamp(min=1e-12)
        return total / max(self.count, 1e-12)


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred)` over all samples seen."""

    def __init__(self, fn: Callable, name: str | None = None, **fn_kwargs) -> None:
        super().__init__(name or getattr(fn, "__name__", "metric"))
        self.fn, self.fn_kwargs = fn, fn_kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = torch.as_tensor(y_pred)
        y_true = torch.as_tensor(y_true, device=y_pred.device)
        super().update_state(self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)


class Accuracy(MeanMetricWrapper):
    def __init__(self, name: str = "accuracy") -> None:
        super().__init__(accuracy, name)


class CategoricalAccuracy(MeanMetricWrapper):
    uses_probabilities = False

    def __init__(self, name: str = "categorical_accuracy") -> None:
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    uses_probabilities = False

    def __init__(self, name: str = "sparse_categorical_accuracy") -> None:
        super().__init__(sparse_categorical_accuracy, name)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "binary_accuracy", threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name, threshold=threshold)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    uses_probabilities = False

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy") -> None:
        if not isinstance(k, int) or k <= 0:
            raise ValueError(f"TopKCategoricalAccuracy: k must be a positive int; received k={k!r}.")
        super().__init__(top_k_categorical_accuracy, name, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    uses_probabilities = False

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy") -> None:
        if not isinstance(k, int) or k <= 0:
            raise ValueError(f"SparseTopKCategoricalAccuracy: k must be a positive int; received k={k!r}.")
        super().__init__(sparse_top_k_categorical_accuracy, name, k=k)


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_squared_error") -> None:
        super().__init__(mean_squared_error, name)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_absolute_error") -> None:
        super().__init__(mean_absolute_error, name)


_BY_NAME: dict[str, Callable[[], Metric]] = {
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "binary_accuracy": BinaryAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
}
_BY_FUNCTION: dict[Callable, Callable[[], Metric]] = {
    categorical_accuracy: CategoricalAccuracy,
    sparse_categorical_accuracy: SparseCategoricalAccuracy,
    binary_accuracy: BinaryAccuracy,
    top_k_categorical_accuracy: TopKCategoricalAccuracy,
    sparse_top_k_categorical_accuracy: SparseTopKCategoricalAccuracy,
}


class RootMeanSquaredError(Mean):
    """sqrt(mean((y_pred - y_true)^2)) over every value seen."""

    def __init__(self, name: str = "root_mean_squared_error") -> None:
        super().__init__(name)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = torch.as_tensor(y_pred)
        error = y_pred - torch.as_tensor(y_true, device=y_pred.device).to(y_pred.dtype).reshape(y_pred.shape)
        super().update_state(error.square(), sample_weight)

    def result(self) -> torch.Tensor:
        return super().result().sqrt()


def _by_name() -> dict[str, Callable[[], Metric]]:
    from cnnkit.training import more_losses  # the Keras losses that also serve as metrics
    from cnnkit.training.confusion_metrics import AUC, Precision, Recall  # they build on Metric, above

    def of(fn: Callable) -> Callable[..., Metric]:
        return lambda name: MeanMetricWrapper(fn, name)

    as_metrics = {
        name: of(fn)
        for name, fn in {
            "mean_absolute_percentage_error": more_losses.mape,
            "mape": more_losses.mape,
            "mean_squared_logarithmic_error": more_losses.msle,
            "msle": more_losses.msle,
            "kl_divergence": more_losses.kld,
            "kld": more_losses.kld,
            "kullback_leibler_divergence": more_losses.kld,
            "poisson": more_losses.poisson,
            "hinge": more_losses.hinge,
            "squared_hinge": more_losses.squared_hinge,
            "categorical_hinge": more_losses.categorical_hinge,
            "logcosh": more_losses.log_cosh,
            "log_cosh": more_losses.log_cosh,
        }.items()
    }
    as_metrics["cosine_similarity"] = of(lambda y_true, y_pred: -more_losses.cosine_similarity(y_true, y_pred))
    return {
        **_BY_NAME,
        **as_metrics,
        "precision": Precision,
        "recall": Recall,
        "auc": AUC,
        "root_mean_squared_error": RootMeanSquaredError,
        "rmse": RootMeanSquaredError,
    }


def accuracy_for(loss_name: str, label_rank: int, output_shape: tuple) -> Callable[[str], Metric]:
    """Which accuracy 'accuracy'/'acc' means, decided as Keras does: by the loss, else by shapes."""
    if loss_name == "binary_crossentropy" or output_shape[-1] == 1:
        return lambda name: BinaryAccuracy(name=name)
    if loss_name == "sparse_categorical_crossentropy" or label_rank < len(output_shape):
        return lambda name: SparseCategoricalAccuracy(name=name)
    return lambda name: CategoricalAccuracy(name=name)


def get(identifier, loss_name: str, label_rank: int, output_shape: tuple) -> Metric:
    """A Metric from a Keras name (history keys keep the name as written), object or function."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            return accuracy_for(loss_name, label_rank, output_shape)(identifier)
        by_name = _by_name()
        try:
            return by_name[identifier.lower()](name=identifier)
        except KeyError:
            known = ", ".join(["accuracy", "acc", *sorted(by_name)])
            raise ValueError(f"Unknown metric {identifier!r}. Expected one of: {known}.") from None
    if identifier in _BY_FUNCTION:
        return _BY_FUNCTION[identifier]()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"A metric must be a name, a Metric or a callable; received {identifier!r}.")


def check_names(identifiers) -> None:
    """Reject unknown metric names at compile time, before any data is seen."""
    for identifier in identifiers:
        get(identifier, "", 1, (None, 1))  # resolving raises for an unknown name or type
