"""Weights in Keras's HDF5 layouts, read and written through h5py, one layer at a time through
`get_weights`/`set_weights` (Keras's order and layout).

- Keras 3 (`model.weights.h5` inside `.keras`, and `x.weights.h5`): the tree of weights_tree.py.
- Legacy (Keras 2 / tf.keras `.h5`, Keras 3's `.h5`): one group per layer listed in the
  `layer_names` attribute, its arrays named by `weight_names`, trainable weights first. A file
  whose layer names are the model's is read by name; otherwise, as Keras does, by position among
  the layers that have weights (Keras Applications files on cnnkit's builders).

Every dataset's shape and type are checked before it is read, so a crafted file cannot make cnnkit
read gigabytes or anything but numbers; h5py never unpickles.
"""

from __future__ import annotations

import h5py
import numpy as np

from cnnkit.models.keras_files.weights_tree import group_names, keras_shapes, sublayers, weight_paths


def _leaves(model, prefix: str = "") -> list[tuple[object, str]]:
    """(layer, its group path) for every layer holding weights, nested models opened, in Keras's order."""
    order = sublayers(model)
    if order is None:
        return [(model, prefix)]
    found = []
    for group, layer in zip(group_names(order), order):
        found += _leaves(layer, f"{prefix}layers/{group}/")
    return found


def _checked(handle, path: str, expected: tuple, source: str, layer) -> np.ndarray:
    item = handle.get(path)
    if not isinstance(item, h5py.Dataset):
        raise ValueError(f"{source} has no weight {path!r} for layer '{layer.name}' ({type(layer).__name__})")
    if item.dtype.kind not in "fiub":
        raise ValueError(f"{source}: {path!r} holds {item.dtype}, not numbers; refusing it")
    if tuple(item.shape) != tuple(expected):
        raise ValueError(
            f"{source}: {path!r} has shape {tuple(item.shape)}; layer '{layer.name}' ({type(layer).__name__}) "
            f"needs {tuple(expected)}"
        )
    return np.asarray(item[()], dtype=np.float32)


# ---- Keras 3's tree ------------------------------------------------------------------------
def read_tree(model, handle, source: str) -> None:
    for layer, prefix in _leaves(model):
        paths = weight_paths(layer)
        if not paths:
            continue
        expected = keras_shapes(layer)
        layer.set_weights([_checked(handle, prefix + p, e, source, layer) for p, e in zip(paths, expected)])


def write_tree(model, handle) -> None:
    handle.create_group("vars")
    for layer, prefix in _leaves(model):
        if prefix:
            handle.require_group(prefix + "vars")
        for path, array in zip(weight_paths(layer), layer.get_weights()):
            handle.create_dataset(prefix + path, data=array)
    order = sublayers(model)
    if order is not None:  # an empty group for every layer, as Keras writes them
        for group in group_names(order):
            handle.require_group(f"layers/{group}/vars")


def is_tree(handle) -> bool:
    return "layers" in handle or ("vars" in handle and "layer_names" not in handle.attrs)


# ---- legacy layer groups -------------------------------------------------------------------
def _legacy_parts(layer) -> list[tuple[object, int, bool]]:
    """(leaf layer, index in its get_weights, trainable) in a legacy file's order for `layer`:
    its trainable weights first, then the others (Keras's `_legacy_weights`)."""
    parts = []
    for leaf, _ in _leaves(layer):
        flags = [trainable for _, trainable, _, _ in leaf._all_weights()]
        if type(leaf).__name__ == "Normalization" and not weight_paths(leaf):
            continue
        parts += [(leaf, index, flag) for index, flag in enumerate(flags)]
    return [p for p in parts if p[2]] + [p for p in parts if not p[2]]


def _text_list(values) -> list[str]:
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in np.asarray(values).ravel()]


def read_legacy(model, handle, source: str, by_name: bool = False) -> None:
    """The weights of a legacy group (a `.h5` file's root or its `model_weights`) into `model`."""
    file_layers = [n for n in _text_list(handle.attrs.get("layer_names", [])) if n in handle]
    stored = {name: _text_list(handle[name].attrs.get("weight_names", [])) for name in file_layers}
    with_weights = [name for name in file_layers if stored[name]]
    layers = [layer for layer in sublayers(model) or [model] if _legacy_parts(layer)]
    names = {layer.name for layer in layers}
    if by_name or set(with_weights) <= names and len(with_weights) == len(layers):
        pairs = [(layer, layer.name) for layer in layers if layer.name in stored]
    else:
        if len(with_weights) != len(layers):
            raise ValueError(
                f"{source} holds weights for {len(with_weights)} layers; model '{model.name}' has {len(layers)} "
                "layers with weights"
            )
        pairs = list(zip(layers, with_weights))
    for layer, name in pairs:
        parts = _legacy_parts(layer)
        if len(parts) != len(stored[name]):
            raise ValueError(
                f"{source}: layer {name!r} has {len(stored[name])} weights; layer '{layer.name}' "
                f"({type(layer).__name__}) needs {len(parts)}"
            )
        shapes = {id(leaf): keras_shapes(leaf) for leaf, _ in _leaves(layer)}
        arrays: dict[int, list] = {}
        for (leaf, index, _), weight_name in zip(parts, stored[name]):
            expected = shapes[id(leaf)][index]
            arrays.setdefault(id(leaf), [None] * len(shapes[id(leaf)]))[index] = _checked(
                handle[name], weight_name, expected, source, leaf
            )
        for leaf, _ in _leaves(layer):
            if id(leaf) in arrays:
                leaf.set_weights(arrays[id(leaf)])


def write_legacy(model, handle) -> None:
    layers = sublayers(model) or [model]
    handle.attrs["layer_names"] = np.array([layer.name.encode("utf8") for layer in layers])
    for layer in layers:
        group = handle.create_group(layer.name)
        names = []
        arrays = {id(leaf): leaf.get_weights() for leaf, _ in _leaves(layer)}  # one copy per layer
        for leaf, index, _ in _legacy_parts(layer):
            name = f"{layer.name}/{leaf.name}/{weight_paths(leaf)[index]}".replace("/vars/", "/")
            group.create_dataset(name, data=arrays[id(leaf)][index])
            names.append(name.encode("utf8"))
        group.attrs["weight_names"] = np.array(names)
