"""Keras's own model configs as cnnkit's: Keras 3's `.keras` config.json and the `model_config` of
Keras 2 / tf.keras / Keras 3 `.h5` files become the {"class_name", "config"} descriptions that
cnnkit's `deserialize` builds.

Only names found in cnnkit's registry (or the caller's custom_objects) are ever built; a "module"
in the file is read as a label and never imported. An argument cnnkit's layer does not take is
dropped when its value is one that changes nothing (data_format="channels_last", sparse=False, a
seed of None, ...), and otherwise refused with one line naming the layer and the argument.
"""

from __future__ import annotations

import inspect
from functools import cache

from cnnkit.common import object_registration, registry

MODEL_CLASSES = ("Functional", "Model", "Sequential")
NESTED_LAYER_KEYS = ("layer", "cell", "forward_layer", "backward_layer")
# Keras arguments with values that mean what cnnkit always does.
INERT_VALUES = {
    "data_format": ("channels_last",),
    "sparse": (False,),
    "ragged": (False,),
    "optional": (False,),
    "synchronized": (False,),
    "renorm": (False,),
    "renorm_clipping": (None,),
    "unroll": (False,),
    "time_major": (False,),
    "lora_rank": (None,),
    "use_gate": (False,),
    "antialias": (False,),
    "zero_output_for_mask": (False, True),  # masked steps are not used by cnnkit's unmasked RNNs
}
# Dropped whatever their value: they describe how Keras ran, not what the layer computes.
IGNORED_ALWAYS = {"renorm_momentum", "shared_object_id", "implementation", "jit_compile", "lora_alpha"}
# Float policies whose variables are float32: cnnkit predicts in float32 with the same weights.
FLOAT32_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")
OBJECT_KINDS = (("_initializer", "initializer"), ("_regularizer", "regularizer"), ("_constraint", "constraint"))


class KerasConfigError(ValueError):
    """A Keras config naming something cnnkit cannot build, in one line."""


@cache
def _arguments_of(cls) -> frozenset:
    """The keyword arguments `cls(...)` takes along its chain of __init__s (each passing the rest
    on through **kwargs, down to Layer's)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        parameters = inspect.signature(inspect.unwrap(init)).parameters.values()
        names.update(p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            break
    names.update(getattr(cls, "keras_arguments", ()))  # what a class takes through **kwargs
    return frozenset(names - {"self"})


def _find(kind: str, name, where: str):
    found = object_registration.lookup(name) if isinstance(name, str) else None
    if found is None and isinstance(name, str) and not name.startswith("_"):
        found = registry.find(kind, name)
    if found is None:
        raise KerasConfigError(
            f"{where}: cnnkit has no {kind} {name!r} (pass custom_objects={{{name!r}: ...}} if it is your own)"
        )
    return found


def _kept_arguments(cls, config: dict, where: str) -> dict:
    accepted = _arguments_of(cls)
    kept = {}
    for key, value in config.items():
        if key in accepted:
            kept[key] = value
        elif key in IGNORED_ALWAYS or (key in INERT_VALUES and value in INERT_VALUES[key]):
            continue
        elif value is None:  # an optional argument left unset in Keras (seed=None, input_axes=None)
            continue
        else:
            raise KerasConfigError(f"{where}: cnnkit's {cls.__name__} has no argument {key}={value!r}")
    return kept


def _object_description(kind: str, value, where: str):
    """An initializer, regularizer, constraint or activation as cnnkit's from_config takes it."""
    if not isinstance(value, dict):
        return value
    name = value.get("class_name")
    if kind == "activation" and name == "function":  # Keras 3 names a plain activation function
        return value.get("config")
    cls = _find(kind, name, where)
    if not isinstance(cls, type):
        return name
    config = _kept_arguments(cls, dict(value.get("config") or {}), f"{where} {name}")
    return {"class_name": name, "config": config}


def _dtype(value, where: str):
    if isinstance(value, dict):  # Keras 3's DTypePolicy
        value = (value.get("config") or {}).get("name")
    if value is None or value in FLOAT32_POLICIES:
        return None
    return value


def _function_name(value, where: str) -> str:
    """A Lambda's function: by name only (found in custom_objects); saved bytecode is refused."""
    if isinstance(value, dict) and value.get("class_name") == "__lambda__":
        raise KerasConfigError(
            f"{where} holds a Python lambda as bytecode; cnnkit never runs code from a file (Keras's "
            "safe_mode): build the model in code and load the file's weights with model.load_weights"
        )
    if isinstance(value, dict) and value.get("class_name") == "function":
        value = value.get("config")
    if not isinstance(value, str):
        raise KerasConfigError(f"{where}: its function must be named; received {value!r}")
    return value


def _layer_arguments(cls, config: dict, where: str) -> dict:
    translated = {}
    for key, value in config.items():
        if key == "function" and cls.__name__ == "Lambda":
            value = _function_name(value, where)
        elif key == "dtype":
            value = _dtype(value, where)
            if value is None:
                continue
        elif key in NESTED_LAYER_KEYS and isinstance(value, dict):
            value = layer_description(value, f"{where} {key}")
        elif key == "cells" and isinstance(value, list):
            value = [layer_description(cell, f"{where} cell") for cell in value]
        elif key in ("activation", "recurrent_activation"):
            value = _object_description("activation", value, where)
        else:
            kind = next((kind for suffix, kind in OBJECT_KINDS if key.endswith(suffix)), None)
            if kind is not None:
                value = _object_description(kind, value, f"{where} {key}")
        translated[key] = value
    return _kept_arguments(cls, translated, where)


def layer_description(description: dict, where: str = "Keras file") -> dict:
    """cnnkit's {"class_name", "config"} for one Keras layer (or model) description."""
    if not isinstance(description, dict) or not isinstance(description.get("config"), dict):
        raise KerasConfigError(f"{where}: a layer must be {{'class_name': ..., 'config': {{...}}}}")
    name = description.get("class_name")
    config = description["config"]
    if name in MODEL_CLASSES and "layers" in config:
        return model_description(description, where)
    if name == "InputLayer":
        return {"class_name": "InputLayer", "config": _input_config(config)}
    where = f"{where}, layer {config.get('name')!r} ({name})"
    cls = _find("layer", name, where)
    return {"class_name": name, "config": _layer_arguments(cls, config, where)}


def _input_config(config: dict) -> dict:
    shape = config.get("batch_shape") or config.get("batch_input_shape") or [None, *config.get("shape", [])]
    dtype = config.get("dtype")
    return {"name": config.get("name"), "shape": list(shape)[1:], "dtype": None if dtype is None else str(dtype)}


# ---- models --------------------------------------------------------------------------------
def model_description(description: dict, where: str = "Keras file") -> dict:
    name = description.get("class_name")
    config = description["config"]
    if name == "Sequential":
        return {"class_name": "Sequential", "config": _sequential(config, where)}
    return {"class_name": "Functional", "config": _functional(config, where)}


def _sequential(config: dict, where: str) -> dict:
    layers = list(config["layers"])
    input_shape = None
    if layers and layers[0].get("class_name") == "InputLayer":
        input_shape = _input_config(layers.pop(0)["config"])["shape"]
    elif config.get("build_input_shape"):
        input_shape = list(config["build_input_shape"])[1:]
    return {
        "name": config.get("name", "sequential"),
        "trainable": config.get("trainable", True),
        "input_shape": input_shape,
        "layers": [layer_description(layer, where) for layer in layers],
    }


def _reference(value) -> list | None:
    """[layer, node, tensor] for a tensor in an inbound node, in either Keras's form."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return list(value["config"]["keras_history"])
    if isinstance(value, list) and len(value) >= 3 and isinstance(value[0], str):
        return list(value[:3])
    return None


def _flat_references(value) -> list:
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [value[:3]]
    return [list(v[:3]) for v in value]


def _node_call(layer, node, where: str) -> dict:
    """One inbound node as cnnkit's call: the tensors it reads, and keyword tensors by name."""
    if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        args, kwargs = list(node.get("args", [])), dict(node.get("kwargs", {}))
    else:  # Keras 2: [[layer, node, tensor, kwargs], ...]
        args = [list(node[0][:3])] if len(node) == 1 else [[list(entry[:3]) for entry in node]]
        kwargs = dict(node[0][3]) if node and len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
    first = args[0] if args else None
    takes_list = isinstance(first, list) and not (first and isinstance(first[0], str))
    inputs = [_reference(t) for t in first] if takes_list else [_reference(first)]
    if any(ref is None for ref in inputs):
        raise KerasConfigError(f"{where}: layer {layer!r} is called on something that is not a tensor")
    keywords, tensors = {}, []
    named = list(getattr(registry.find("layer", str(layer)) or object, "positional_keywords", ()))
    for position, extra in enumerate(args[1:]):
        kwargs.setdefault(named[position] if position < len(named) else f"arg{position + 1}", extra)
    training = kwargs.pop("training", None)
    for key, value in kwargs.items():
        if value is None or key == "mask":
            continue
        refs = [_reference(v) for v in value] if isinstance(value, list) else [_reference(value)]
        if any(ref is None for ref in refs):
            keywords[key] = value
            continue
        tensors.extend(refs)
        entries = [{"tensor": ref} for ref in refs]
        keywords[key] = entries if isinstance(value, list) else entries[0]
    call = {"takes_list": takes_list, "inputs": inputs}
    if training is not None:
        call["training"] = bool(training)
    if keywords:
        call["keywords"] = keywords
    return call


def _functional(config: dict, where: str) -> dict:
    entries = list(config["layers"])
    descriptions, pending = [], []
    for entry in entries:
        description = layer_description(entry, where)
        descriptions.append(description)
        layer_name = description["config"]["name"]
        for index, node in enumerate(entry.get("inbound_nodes") or []):
            call = _node_call(entry.get("class_name"), node, f"{where}, layer {layer_name!r}")
            pending.append((layer_name, index, call))
    inputs = [ref[0] for ref in _flat_references(config["input_layers"])]
    done = {(name, 0) for name in inputs}
    calls = []
    while pending:  # Keras's order: a node runs once every tensor it reads exists
        ready = [
            item
            for item in pending
            if (item[0], item[1] - 1) in done or item[1] == 0
            if all((ref[0], ref[1]) in done for ref in _call_references(item[2]))
        ]
        if not ready:
            names = ", ".join(sorted({item[0] for item in pending}))
            raise KerasConfigError(f"{where}: the graph cannot be run (layers {names} read tensors nothing makes)")
        name, index, call = ready[0]
        pending.remove(ready[0])
        done.add((name, index))
        calls.append({"layer": name, **call})
    return {
        "name": config.get("name", "functional"),
        "trainable": config.get("trainable", True),
        "layers": descriptions,
        "calls": calls,
        "input_layers": inputs,
        "output_tensors": _flat_references(config["output_layers"]),
    }


def _call_references(call: dict) -> list:
    refs = list(call["inputs"])
    for value in call.get("keywords", {}).values():
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict) and "tensor" in entry:
                refs.append(entry["tensor"])
    return refs
