"""Keras's custom_objects: names that loading a saved model may resolve to the user's own code.

`load_model(path, custom_objects={"MyLayer": MyLayer, "my_activation": fn})` puts them in scope
while the model is rebuilt; layer, activation, initializer and loss lookups consult the scope,
then the program-wide registry (`@register_keras_serializable()`, `get_custom_objects()`).
Nothing is ever imported or executed from the file itself: only code the program has already
handed over can be found.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_scope: list[dict] = []
_registered: dict = {}  # Keras's global custom objects, "package>name" -> class or function


@contextlib.contextmanager
def custom_object_scope(objects: dict | None) -> Iterator[None]:
    _scope.append(dict(objects or {}))
    try:
        yield
    finally:
        _scope.pop()


def get_custom_objects() -> dict:
    """The program-wide custom objects, which may be added to directly as in Keras
    (`get_custom_objects()["my_activation"] = fn`)."""
    return _registered


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """A decorator that makes a class or function findable by name when a model is loaded,
    without passing custom_objects each time."""

    def register(obj):
        key = f"{package}>{name or getattr(obj, '__name__', None)}"
        if not callable(obj) or key.endswith(">None"):
            raise ValueError(f"register_keras_serializable: cannot register {obj!r}; expected a class or function")
        if key in _registered and _registered[key] is not obj:
            raise ValueError(f"register_keras_serializable: {key!r} is already registered to {_registered[key]!r}")
        _registered[key] = obj
        return obj

    return register


def lookup(name: str):
    """The custom object called `name`: the innermost scope first, then the registry (by key, by
    registered name, or by the class or function name that saving writes), else None."""
    for objects in reversed(_scope):
        if name in objects:
            return objects[name]
    if name in _registered:
        return _registered[name]
    for key, obj in _registered.items():
        if key.rpartition(">")[2] == name or getattr(obj, "__name__", None) == name:
            return obj
    return None


def resolve(identifier, known: dict, kind: str, expected: str):
    """A regularizer or constraint from None, a name (the user's custom objects first, then
    `known`), a {"class_name", "config"} dict as saved, or a callable, which is used as it is."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = known.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown {kind} {identifier!r}")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        found = lookup(identifier) or known.get(identifier)
        if found is None:
            raise ValueError(f"Unknown {kind} {identifier!r}. Expected one of: {expected}, or a callable.")
        return found() if isinstance(found, type) else found
    if callable(identifier):
        return identifier
    raise TypeError(f"A {kind} must be a name or a callable; received {identifier!r}.")
