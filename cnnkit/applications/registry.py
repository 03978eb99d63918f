"""The model registry: every builder under a lowercase name, for `get_model` and the CLI."""

from __future__ import annotations

from collections.abc import Callable

_BUILDERS: dict[str, Callable] = {}


def register(name: str) -> Callable[[Callable], Callable]:
    """Decorator: make a builder available as `get_model(name)`."""

    def add(builder: Callable) -> Callable:
        if name in _BUILDERS:
            raise ValueError(f"register: a model named {name!r} is already registered")
        _BUILDERS[name] = builder
        return builder

    return add


def list_models() -> list[str]:
    """The registered names, sorted: `lenet5`, `resnet18`, `vgg16`, ..."""
    return sorted(_BUILDERS)


def get_model(name: str, **kwargs):
    """Build a registered model by name. Arguments that are None are dropped, so an unset
    command-line option never overrides the model's own default."""
    builder = _BUILDERS.get(str(name).lower())
    if builder is None:
        raise ValueError(f"get_model: unknown model {name!r}; known models: {', '.join(list_models())}")
    return builder(**{key: value for key, value in kwargs.items() if value is not None})
