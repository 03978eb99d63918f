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
