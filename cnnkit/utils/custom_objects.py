"""Keras's custom_objects: names that loading a saved model may resolve to the user's own code.

`load_model(path, custom_objects={"MyLayer": MyLayer, "my_activation": fn})` puts them in scope
while the model is rebuilt; layer, activation, initializer and loss lookups consult the scope.
Nothing is ever imported or executed from the file itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_scope: list[dict] = []


@contextlib.contextmanager
def custom_object_scope(objects: dict | None) -> Iterator[None]:
    _scope.append(dict(objects or {}))
    try:
        yield
    finally:
        _scope.pop()


def lookup(name: str):
    """The innermost custom object called `name`, or None."""
    for objects in reversed(_scope):
        if name in objects:
            return objects[name]
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
