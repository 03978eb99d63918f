"""Where Keras 3 keeps each weight in its weights files (`model.weights.h5`, `x.weights.h5`), and
the order in which Keras lists a functional model's layers.

Keras 3 writes a model as a tree of groups named after the objects' classes, not their names:
`layers/conv2d/vars/0` is the kernel of the first Conv2D in the model's layer list,
`layers/conv2d_1/vars/0` the second's; an LSTM keeps its weights in its cell
(`layers/lstm/cell/vars/0..2`), a Bidirectional in `forward_layer/` and `backward_layer/`, a
nested model in `layers/<model>/layers/...`. Which Conv2D is "the first" follows Keras's order of
a functional model's layers: deepest first (farthest from the outputs), ties in the order a
depth-first walk from the outputs meets them. `keras_layer_order` computes that order for a cnnkit
model, so a file written here lands where Keras looks and a file Keras wrote is read in place.
"""

from __future__ import annotations

import re

from torch import nn

from cnnkit.layers.core.input_layer import InputLayer

RECURRENT = ("LSTM", "GRU", "SimpleRNN", "ConvLSTM2D", "RNN")
ATTENTION_PARTS = ("query_dense", "key_dense", "value_dense", "output_dense")


def class_group_name(cls_name: str) -> str:
    """Keras's snake case of a class name: Conv2D -> conv2d, SimpleRNN -> simple_rnn."""
    name = re.sub(r"\W+", "", cls_name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def group_names(objects: list) -> list[str]:
    """One group per object, by class, numbered from the second of a class on (dense, dense_1)."""
    used: dict[str, int] = {}
    names = []
    for obj in objects:
        base = class_group_name(type(obj).__name__)
        if base in used:
            used[base] += 1
            names.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            names.append(base)
    return names


def is_model(layer) -> bool:
    return type(layer).__name__ in ("Functional", "Sequential") or hasattr(layer, "_graph")


def keras_shapes(layer) -> list[tuple[int, ...]]:
    """The shapes `layer.get_weights()` would return (Keras's layout), without copying any weight."""
    shapes = []
    for tensor, _, owner, name in layer._all_weights():
        order = owner._to_keras_order.get(name) if name else None
        shapes.append(tuple(tensor.shape) if order is None else tuple(tensor.shape[i] for i in order))
    return shapes


def weight_count(layer) -> int:
    return len(layer._all_weights())


def sublayers(model) -> list | None:
    """The layers a model is made of, in Keras's order: a Sequential's or functional model's, or
    the `layers` of a zoo model (VGG16's block1_conv1, ...) when they hold all its weights; None
    for a single layer."""
    if is_model(model):
        return keras_layer_order(model)
    layers = getattr(model, "layers", None)
    if not isinstance(layers, (list, tuple, nn.ModuleList)) or not layers:
        return None
    if not all(hasattr(layer, "_all_weights") for layer in layers):
        return None
    held = sum(weight_count(layer) for layer in layers)
    return list(layers) if held == weight_count(model) else None


def weight_paths(layer) -> list[str]:
    """Where each of `layer.get_weights()`'s arrays sits under the group of a layer that is not
    made of other layers (see `sublayers`)."""
    kind = type(layer).__name__
    if kind == "Bidirectional":
        return [f"forward_layer/{p}" for p in weight_paths(layer.forward_layer)] + [
            f"backward_layer/{p}" for p in weight_paths(layer.backward_layer)
        ]
    if kind == "TimeDistributed":
        return [f"layer/{p}" for p in weight_paths(layer.layer)]
    if kind == "RNN" and hasattr(layer.cell, "cells"):  # RNN over stacked cells
        cells = list(layer.cell.cells)
        return [
            f"cell/cells/{group}/vars/{i}"
            for group, cell in zip(group_names(cells), cells)
            for i in range(weight_count(cell))
        ]
    count = weight_count(layer)
    if kind == "Normalization" and getattr(layer, "given_mean", None) is not None:
        return []  # Keras keeps a given mean and variance in the config, not among the variables
    if kind in RECURRENT:
        return [f"cell/vars/{i}" for i in range(count)]
    if kind == "MultiHeadAttention":
        each = count // len(ATTENTION_PARTS)
        return [f"{part}/vars/{i}" for part in ATTENTION_PARTS for i in range(each)]
    return [f"vars/{i}" for i in range(count)]


# ---- Keras's layer order -------------------------------------------------------------------
def keras_layer_order(model) -> list:
    """model.layers as Keras lists them (InputLayers included), for the groups of its files."""
    if not hasattr(model, "_graph"):  # Sequential: its input first, then its layers as added
        return list(model.layers)
    inputs = {id(t) for t in model.inputs}
    walked: list = []  # nodes, each after the nodes it reads
    first_seen: dict[int, int] = {}  # id(layer) -> when the walk first met it
    finished: set[int] = set()

    def visit(tensor) -> None:
        node = tensor.node
        if id(node) in finished:
            return
        if id(tensor) in inputs and not isinstance(node.layer, InputLayer):
            finished.add(id(node))
            return
        first_seen.setdefault(id(node.layer), len(first_seen))
        if not isinstance(node.layer, InputLayer):
            for source in node.inputs:
                visit(source)
        finished.add(id(node))
        walked.append(node)

    for tensor in model.outputs:
        visit(tensor)
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layers: dict[int, object] = {}
    walked_ids = {id(node) for node in walked}
    for node in reversed(walked):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for source in node.inputs:
            if id(source.node) in walked_ids:
                node_depth[id(source.node)] = max(depth + 1, node_depth.get(id(source.node), 0))
    for tensor in model.inputs:  # an input no output depends on still belongs to the model
        if id(tensor.source) not in layer_depth:
            layer_depth[id(tensor.source)] = 0
            first_seen[id(tensor.source)] = -1
            layers[id(tensor.source)] = tensor.source
    return sorted(layers.values(), key=lambda layer: (-layer_depth[id(layer)], first_seen[id(layer)]))
