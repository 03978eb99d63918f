"""The Initializer base class, `get` (by Keras name, saved config or callable) and `serialize`.

Each initializer is called with a Keras-layout shape and returns a tensor; layers permute it into
torch's layout."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from cnnkit.common import object_registration as custom_objects
from cnnkit.common import registry


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras's fan-in/fan-out: a kernel (..., in, out) with a receptive field of the leading axes."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    def __call__(self, shape: tuple[int, ...], dtype: torch.dtype | None = None) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}


def get(identifier: str | dict | Initializer | Callable) -> Callable:
    """An initialiser from its Keras name, a saved {"class_name", "config"}, an Initializer, or
    any `f(shape, dtype=None)`."""
    if isinstance(identifier, str) and custom_objects.lookup(identifier) is not None:
        identifier = custom_objects.lookup(identifier)  # a user's object named in a saved model
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        cls = custom_objects.lookup(name) or registry.find("initializer", str(name))
        if cls is None:
            raise ValueError(f"Unknown initializer {identifier!r}")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        try:
            return registry.table("initializer")[identifier.lower()]()
        except KeyError:
            known = ", ".join(name for name in registry.names("initializer") if name.islower())
            raise ValueError(f"Unknown initializer {identifier!r}. Expected one of: {known}.") from None
    if callable(identifier):
        return identifier
    raise TypeError(f"An initializer must be a name or a callable; received {identifier!r}.")


def serialize(initializer: Callable) -> str | dict:
    """For a layer's config: the Keras name when the initializer has its defaults, else
    {"class_name", "config"} so its arguments (RandomNormal(stddev=0.5), Constant(3.0)) survive
    to_json, clone_model and saving; a user's function by its name."""
    for name, cls in registry.table("initializer").items():
        if type(initializer) is cls:
            if initializer.get_config() == cls().get_config():
                return name
            return {"class_name": cls.__name__, "config": initializer.get_config()}
    return getattr(initializer, "__name__", type(initializer).__name__)


name_of = serialize  # its earlier name, from when configs kept only the initializer's name
