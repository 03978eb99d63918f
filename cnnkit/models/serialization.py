"""Models as JSON text (Keras's to_json / model_from_json), through the layers' own
serialize/deserialize (cnnkit/layers/serialization.py): only classes cnnkit knows or that the
caller passes in `custom_objects` can be rebuilt; a name in a file never imports anything.
"""

from __future__ import annotations

import json

from torch import nn

from cnnkit.common.object_registration import custom_object_scope
from cnnkit.layers.serialization import deserialize, serialize


def to_json(model: nn.Module, **json_arguments) -> str:
    """Keras's `model.to_json()`: the architecture without weights ({"class_name", "config"})."""
    return json.dumps({**serialize(model), "backend": "torch", "library": "cnnkit"}, **json_arguments)


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """A new model, with fresh weights, from `to_json`'s text, cnnkit's or real Keras's (Keras 2's
    save-the-architecture recipe; the weights come back with `load_weights`). The text is data:
    nothing in it runs."""
    try:
        description = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"model_from_json: not a model's JSON ({error})") from None
    if not isinstance(description, dict) or "class_name" not in description or "config" not in description:
        raise ValueError('model_from_json: expected {"class_name": ..., "config": ...} as model.to_json() writes')
    with custom_object_scope(custom_objects):
        if description.get("library") != "cnnkit":  # written by Keras: its configs mapped to cnnkit's
            from cnnkit.models.keras_files.config_from_keras import layer_description

            description = layer_description(description, "model_from_json")
        return deserialize(description)
