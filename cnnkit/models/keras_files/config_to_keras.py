"""A cnnkit model's architecture as Keras 3 writes it into `.keras` and `.h5` files, so that real
Keras rebuilds it: layers with their module and dtype policy, a Sequential led by its InputLayer,
a functional model's calls as each layer's "inbound_nodes" of `__keras_tensor__`s.

cnnkit's layer configs already use Keras's argument names; what changes is the envelope. A layer
Keras does not have (cnnkit's zoo blocks, a user's class) is written with its own module, as
Keras writes custom objects: Keras loads it only where that class is registered.
"""

from __future__ import annotations

from cnnkit.common import symbolic
from cnnkit.layers.serialization import serialize
from cnnkit.models.keras_files.config_from_keras import NESTED_LAYER_KEYS, OBJECT_KINDS

FLOAT32 = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
OBJECT_MODULES = {
    "initializer": "keras.initializers",
    "regularizer": "keras.regularizers",
    "constraint": "keras.constraints",
}


def _module_of(cls) -> tuple[str, str | None]:
    """(module, registered_name): Keras's own module for cnnkit's built-in layers."""
    module = cls.__module__
    if module.startswith("cnnkit.layers") or module.startswith("cnnkit.models"):
        return "keras.layers", None
    return module, f"{module.split('.')[0]}>{cls.__name__}"


def _keras_object(kind: str, value):
    if isinstance(value, dict) and "class_name" in value:
        return {
            "module": OBJECT_MODULES[kind],
            "class_name": value["class_name"],
            "config": value.get("config", {}),
            "registered_name": None,
        }
    return value


def _arguments(config: dict) -> dict:
    out = {}
    for key, value in config.items():
        if key == "input_shape":
            continue  # Keras 3 declares shapes with an InputLayer, never on a layer
        if key in NESTED_LAYER_KEYS and isinstance(value, dict):
            value = layer_entry(value)
        elif key == "cells" and isinstance(value, list):
            value = [layer_entry(cell) for cell in value]
        else:
            kind = next((kind for suffix, kind in OBJECT_KINDS if key.endswith(suffix)), None)
            if kind is not None:
                value = _keras_object(kind, value)
        out[key] = value
    return out


def layer_entry(description: dict, cls=None) -> dict:
    """A layer description (cnnkit's serialize output) in Keras 3's form."""
    from cnnkit.common import registry

    name = description["class_name"]
    cls = cls or registry.find("layer", name)
    module, registered = _module_of(cls) if cls is not None else ("keras.layers", None)
    config = dict(description["config"])
    head = {"name": config.pop("name"), "trainable": config.pop("trainable", True), "dtype": FLOAT32}
    return {
        "module": module,
        "class_name": name,
        "config": {**head, **_arguments(config)},
        "registered_name": registered,
    }


def _input_entry(name: str, shape, dtype: str = "float32") -> dict:
    config = {"batch_shape": [None, *shape], "dtype": dtype, "sparse": False, "ragged": False, "name": name}
    return {"module": "keras.layers", "class_name": "InputLayer", "config": config, "registered_name": None}


# ---- models --------------------------------------------------------------------------------
def model_entry(model) -> dict:
    """The whole model as config.json's top object (without compile_config)."""
    kind = type(model).__name__
    if kind == "Sequential":
        return _sequential(model)
    if hasattr(model, "_graph"):
        return _functional(model)
    entry = layer_entry(serialize(model), type(model))
    build = model.get_build_config() if hasattr(model, "get_build_config") else None
    if build is not None:
        entry["build_config"] = build
    return entry


def _sequential(model) -> dict:
    layers = [layer_entry(serialize(layer), type(layer)) for layer in model.layers]
    shape = model._input_shape
    if shape is not None:
        layers.insert(0, _input_entry(f"{model.name}_input", shape[1:]))
    config = {"name": model.name, "trainable": model.trainable, "dtype": FLOAT32, "layers": layers}
    entry = {"module": "keras", "class_name": "Sequential", "config": config, "registered_name": None}
    if shape is not None:
        config["build_input_shape"] = [None, *shape[1:]]
        entry["build_config"] = {"input_shape": [None, *shape[1:]]}
    return entry


def _tensor(tensor, reference: list) -> dict:
    shape = [None if d is None else int(d) for d in tensor.shape]
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": shape, "dtype": "float32", "keras_history": reference},
    }


def _functional(model) -> dict:
    from cnnkit.models.functional import nodes_between
    from cnnkit.models.keras_files.weights_tree import is_model, keras_layer_order

    extra = model.graph_losses + [tensor for tensor, _ in model.graph_metrics]
    nodes = nodes_between(model.inputs, model.outputs + extra)
    call_number, counts = {}, {}
    for node in nodes:
        call_number[id(node)] = counts.get(id(node.layer), 0)
        counts[id(node.layer)] = call_number[id(node)] + 1
    inputs = {id(t): t for t in model.inputs}

    def reference(tensor) -> list:
        if id(tensor) in inputs:
            return [tensor.source.name, 0, 0]
        return [tensor.node.layer.name, call_number[id(tensor.node)], tensor.index]

    inbound: dict[int, list] = {}
    for node in nodes:
        main = [_tensor(t, reference(t)) for t in node.inputs[: node.main_count]]
        keyword_tensors = [_tensor(t, reference(t)) for t in node.inputs[node.main_count :]]
        kwargs = symbolic.fill(node.keywords, keyword_tensors) if node.keywords else {}
        if node.training is not None:
            kwargs["training"] = node.training
        inbound.setdefault(id(node.layer), []).append(
            {"args": [main if node.takes_list else main[0]], "kwargs": kwargs}
        )
    entries = []
    for layer in keras_layer_order(model):
        if id(layer) in {id(t.source) for t in model.inputs}:
            tensor = next(t for t in model.inputs if t.source is layer)
            entry = _input_entry(layer.name, tensor.shape[1:], getattr(layer, "input_dtype", "float32"))
            entries.append({**entry, "name": layer.name, "inbound_nodes": []})
            continue
        entry = model_entry(layer) if is_model(layer) else layer_entry(serialize(layer), type(layer))
        entries.append({**entry, "name": layer.name, "inbound_nodes": inbound.get(id(layer), [])})
    input_layers = [[t.source.name, 0, 0] for t in model.inputs]
    output_layers = [reference(t) for t in model.outputs]
    config = {  # one input or output is written bare, as Keras does (a list makes Keras warn on every call)
        "name": model.name,
        "trainable": model.trainable,
        "layers": entries,
        "input_layers": input_layers[0] if model._single_input else input_layers,
        "output_layers": output_layers[0] if model._single_output else output_layers,
    }
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": config,
        "registered_name": "Functional",
    }
