"""Models as JSON: every layer by its class name and `get_config()`, and back again.

Only classes cnnkit knows (its layers, models and zoo blocks) or that the caller passes in
`custom_objects` can be rebuilt; a name in a file never imports anything.
"""

from __future__ import annotations

import json

from torch import nn

from cnnkit.layers.base import Layer
from cnnkit.utils import custom_objects
from cnnkit.utils.custom_objects import custom_object_scope


def _known_classes() -> dict[str, type]:
    from cnnkit import applications, layers  # the zoo sits above models; import it only when needed
    from cnnkit.applications.block import ConvBN
    from cnnkit.models.functional import Functional
    from cnnkit.models.sequential import Sequential

    known = {
        name: value for name, value in vars(layers).items() if isinstance(value, type) and issubclass(value, Layer)
    }
    zoo = [applications.Classifier, applications.BasicBlock, applications.Bottleneck]
    zoo += [applications.Inception, applications.InceptionAux, ConvBN, Sequential, Functional]
    known.update({cls.__name__: cls for cls in zoo})
    return known


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
    cls = custom_objects.lookup(name) or _known_classes().get(name)
    if cls is None:
        raise ValueError(
            f"unknown layer class {name!r} in the saved model; if it is your own layer, pass "
            f"custom_objects={{{name!r}: {name}}} to load_model"
        )
    layer = cls.from_config(dict(description["config"]))
    if description.get("build_config") is not None:
        layer.build_from_config(description["build_config"])
    return layer


def to_json(model: nn.Module, **json_arguments) -> str:
    """Keras's `model.to_json()`: the architecture without weights ({"class_name", "config"})."""
    return json.dumps({**serialize(model), "backend": "torch", "library": "cnnkit"}, **json_arguments)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """A new model, with fresh weights, from `to_json`'s text (Keras 2's save-the-architecture
    recipe; the weights come back with `load_weights`). The text is data: nothing in it runs."""
    try:
        description = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"model_from_json: not a model's JSON ({error})") from None
    if not isinstance(description, dict) or "class_name" not in description or "config" not in description:
        raise ValueError('model_from_json: expected {"class_name": ..., "config": ...} as model.to_json() writes')
    with custom_object_scope(custom_objects):
        return deserialize(description)
