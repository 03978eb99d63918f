"""A layer (or a model, which is a layer) as Keras's {"class_name", "config"} and back.

Classes are found by name: the user's custom objects first (`custom_objects=`, or
`register_keras_serializable`), then the registry, where every cnnkit layer, model and zoo block
registers itself when its class is defined (Layer.__init_subclass__). A name in a file never
imports anything.
"""

from __future__ import annotations

from torch import nn

from cnnkit.common import object_registration, registry
from cnnkit.layers.layer import Layer


def serialize(layer: nn.Module) -> dict:
    """{"class_name": ..., "config": ...} for a layer or a model."""
    if not isinstance(layer, Layer):
        raise ValueError(
            f"cannot save {type(layer).__name__}: it is a plain torch module, whose architecture has no "
            "Keras config; save the weights with model.save_weights(path), or wrap it in a cnnkit Layer"
        )
    description = {"class_name": type(layer).__name__, "config": layer.get_config()}
    build_config = layer.get_build_config() if hasattr(layer, "get_build_config") else None
    if build_config is not None:  # a subclassed model: the shape to build it for before its weights load
        description["build_config"] = build_config
    return description


def deserialize(description: dict) -> Layer:
    """Rebuild a layer or model from `serialize`'s output (inside `custom_object_scope` for custom classes)."""
    name = description.get("class_name")
    cls = object_registration.lookup(name) or registry.find("layer", name)
    if cls is None:
        raise ValueError(
            f"unknown layer class {name!r} in the saved model; if it is your own layer, pass "
            f"custom_objects={{{name!r}: {name}}} to load_model"
        )
    layer = cls.from_config(dict(description["config"]))
    if description.get("build_config") is not None:
        layer.build_from_config(description["build_config"])
    return layer
