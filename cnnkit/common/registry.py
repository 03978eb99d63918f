"""One registry for every name a Keras program or a saved model may use: layers, losses,
metrics, optimizers, schedules, activations, initializers, regularizers and constraints.

A class registers itself where it is defined (the Layer, Loss, Metric and Optimizer bases do it
for their subclasses in `__init_subclass__`), so looking a name up needs no table that imports
every package. A user's own code is found first: the custom-object scope of `load_model`, then
`register_keras_serializable` (cnnkit/common/object_registration.py).
"""

from __future__ import annotations

from collections.abc import Callable

KINDS = (
    "layer",
    "loss",
    "loss_function",
    "metric",
    "metric_function",
    "optimizer",
    "schedule",
    "activation",
    "initializer",
    "regularizer",
    "constraint",
)

_entries: dict[str, dict[str, object]] = {kind: {} for kind in KINDS}


def register(kind: str, obj, *names: str) -> None:
    """File `obj` under `names` (its own `__name__` when none are given) for lookups of `kind`."""
    table = _entries[kind]
    for name in names or (obj.__name__,):
        table[name] = obj


def registering(kind: str, *names: str) -> Callable:
    """The decorator form of `register`: `@registering("activation", "relu")`."""

    def decorate(obj):
        register(kind, obj, *names)
        return obj

    return decorate


def find(kind: str, name: str):
    """The object registered as `name` for `kind` (exact name first, then its lower case), or None."""
    table = _entries[kind]
    return table.get(name) if name in table else table.get(name.lower())


def names(kind: str) -> list[str]:
    return sorted(_entries[kind])


def table(kind: str) -> dict[str, object]:
    """Every name registered for `kind`, in registration order (read it; register to add)."""
    return _entries[kind]
