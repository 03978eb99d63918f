"""`get`: a Metric from what compile() is given (a Keras name, a Metric, a function), with
Keras's reading of "accuracy"; names come from the registry, where each metric's file puts them."""

from __future__ import annotations

import functools
from collections.abc import Callable

from cnnkit.common import registry
from cnnkit.losses.loss import matched_labels
from cnnkit.metrics.accuracy_metrics import BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy
from cnnkit.metrics.metric import Metric
from cnnkit.metrics.reduction_metrics import MeanMetricWrapper


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
        found = registry.find("metric", identifier)
        if found is None:
            known = ", ".join(["accuracy", "acc", *(name for name in registry.names("metric") if name.islower())])
            raise ValueError(f"Unknown metric {identifier!r}. Expected one of: {known}.")
        return found(name=identifier)
    name = getattr(identifier, "__name__", None)
    if name is not None and registry.find("metric_function", name) is identifier:  # Keras's own function
        return registry.find("metric", name)()
    if callable(identifier):
        return MeanMetricWrapper(_with_matched_labels(identifier))
    raise TypeError(f"A metric must be a name, a Metric or a callable; received {identifier!r}.")


def check_names(identifiers) -> None:
    """Reject unknown metric names at compile time, before any data is seen."""
    for identifier in identifiers:
        get(identifier, "", 1, (None, 1))  # resolving raises for an unknown name or type


def _with_matched_labels(fn: Callable) -> Callable:
    """A user's metric function, given labels of the predictions' rank and dtype, as Keras does."""

    @functools.wraps(fn)
    def metric(y_true, y_pred, **kwargs):
        return fn(*matched_labels(y_true, y_pred), **kwargs)

    return metric
