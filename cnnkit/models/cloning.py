"""Keras's `clone_model`: the same architecture with new layers, so new weights.

The default makes every layer afresh from its config (initialised anew, as Keras does);
`clone_function(layer)` chooses per layer instead, e.g. `lambda layer: layer` to share some.
"""

from __future__ import annotations

from cnnkit.layers.serialization import deserialize, serialize


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive: bool = False):
    if input_tensors is not None or call_function is not None:
        raise ValueError(
            "clone_model: input_tensors and call_function are not supported; clone the model, then call it on new "
            "inputs (Model(inputs, clone(inputs)))"
        )
    if recursive:
        raise ValueError("clone_model: recursive=True is not supported; nested models are cloned whole")
    if clone_function is None:
        return deserialize(serialize(model))
    if not hasattr(model, "layers") or not hasattr(type(model), "from_config"):
        raise ValueError(f"clone_model: clone_function needs a Sequential or functional model; received {model!r}")
    originals = {layer.name: layer for layer in model.layers}

    def cloned(description: dict):
        layer = clone_function(originals[description["config"]["name"]])
        if layer is None:
            raise ValueError(f"clone_model: clone_function returned None for layer {description['config']['name']!r}")
        return layer

    return type(model).from_config(model.get_config(), make_layer=cloned)
