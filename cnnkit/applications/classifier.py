"""Classifier: the shape every zoo model has, a backbone of layers followed by a head.

The backbone turns an image into a feature map; the head turns the feature map into class
scores. Keeping that split explicit gives every architecture the same transfer-learning surface:
`include_top=False` keeps only the backbone (plus optional global pooling), `forward_features`
runs it, `replace_classifier(classes)` swaps the last Dense layer and `replace_head(layers)` the
whole head.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import torch
from torch import nn

from cnnkit.applications import imagenet_weights
from cnnkit.applications.weights import load_weights_file
from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape
from cnnkit.layers import Dense, GlobalAveragePooling2D, GlobalMaxPooling2D, Input, InputLayer
from cnnkit.layers.node import is_symbolic
from cnnkit.models.functional import Functional
from cnnkit.models.sequential import Sequential


class Classifier(Sequential):
    """A Sequential model whose first `head_start` layers are the backbone and the rest the head.

    `torchvision_names` maps torchvision's module paths (`layer1.0.conv1`) to the layers that hold
    the same weights, so published torchvision state_dicts load onto the model.
    """

    def __init__(
        self, backbone: Sequence[nn.Module], head: Sequence[nn.Module], input_shape: Shape, name: str, input_tensor=None
    ):
        super().__init__(name=name)
        self.add(InputLayer(shape=input_shape))
        # Keras's input_tensor: the layers' first calls (their `.output`) are on that tensor's graph
        # (neural_style_transfer.py builds VGG19 on a K.concatenate of its images).
        self._input_tensor = input_tensor
        for layer in backbone:
            self.add(layer)
        self.head_start = len(self.layers)
        for layer in head:
            self.add(layer)
        # torchvision path -> (layer, (channels, height, width) of the map a Dense layer reads flattened, or None)
        self.torchvision_names: dict[str, tuple[nn.Module, tuple | None]] = {}
        # Path prefixes of torchvision weights this model may lack (its head, auxiliary classifiers).
        self.torchvision_optional: tuple[str, ...] = ()

    def get_config(self) -> dict:
        return {**super().get_config(), "head_start": self.head_start}

    @classmethod
    def from_config(cls, config: dict) -> Classifier:
        from cnnkit.layers.serialization import deserialize

        layers = [deserialize(d) for d in config["layers"]]
        start = config["head_start"]
        model = cls(layers[:start], layers[start:], tuple(config["input_shape"]), config["name"])
        if not config.get("trainable", True):  # True would unfreeze layers saved frozen
            model.trainable = False
        return model

    # ---- the transfer-learning surface -------------------------------------------------------------
    @property
    def backbone_layers(self) -> list[nn.Module]:
        return list(self.layers[: self.head_start])

    @property
    def head_layers(self) -> list[nn.Module]:
        return list(self.layers[self.head_start :])

    @property
    def feature_shape(self) -> Shape:
        """The backbone's output shape, channels-last, e.g. (None, 7, 7, 512) for VGG16 at 224x224."""
        return self._output_shapes[self.head_start - 1] if self.head_start else self.input_shape

    def forward_features(self, x) -> torch.Tensor:
        """The backbone's feature map (NCHW) for input `x`."""
        x = self._prepare(x)
        for layer in self.layers[: self.head_start]:
            x = layer(x)
        return x

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[self.head_start :]:
            features = layer(features)
        return features

    def replace_head(self, layers: Sequence[nn.Module]) -> None:
        """Replace every head layer by `layers` (built for the backbone's feature map)."""
        while len(self.layers) > self.head_start:
            self.pop()
        for layer in layers:
            self.add(layer)
        self._forget_missing_torchvision_names()

    def replace_classifier(self, classes: int, activation: str | None = "softmax") -> None:
        """Swap the final Dense layer for a fresh one with `classes` outputs (keeping any hidden layers)."""
        check_classes(classes, self.name)
        head = self.head_layers
        if not head or not isinstance(head[-1], Dense):
            raise ValueError(f"{self.name}: replace_classifier needs a head ending in Dense; use replace_head(layers)")
        self.replace_head([*head[:-1], Dense(classes, activation=activation, name=head[-1].name)])

    def _forget_missing_torchvision_names(self) -> None:
        present = {id(module) for module in self.modules()}
        self.torchvision_names = {path: e for path, e in self.torchvision_names.items() if id(e[0]) in present}


def check_classes(classes, owner: str) -> None:
    positive_int(classes, "classes", owner)


def resolve_input_shape(name: str, input_shape, default: tuple) -> tuple:
    """The (height, width, channels) to build for: the default, or a checked user shape."""
    if input_shape is None:
        return default
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ValueError(
            f"{name}: input_shape must be (height, width, channels) of positive ints; received "
            f"input_shape={input_shape!r}"
        )
    return shape


def resolve_small_input(name: str, small_input, input_shape: tuple) -> bool:
    """Small-image mode: asked for, or chosen when the image is under 64 pixels on a side."""
    if small_input is None:
        return min(input_shape[:2]) < 64
    if not isinstance(small_input, bool):
        raise ValueError(f"{name}: small_input must be True, False or None; received small_input={small_input!r}")
    return small_input


def start(
    name: str,
    default_shape: tuple,
    include_top,
    weights,
    input_shape,
    pooling,
    classes,
    small_input=None,
    input_tensor=None,
):
    """What every builder checks first, with Keras's arguments: (the input shape to build for,
    whether to use the small-image layout). An `input_tensor` gives the shape, as in Keras."""
    check_common(name, include_top, weights, pooling, classes)
    if input_tensor is not None:
        if not is_symbolic(input_tensor) or len(input_tensor.shape) != 4:
            raise ValueError(
                f"{name}: input_tensor must be a graph tensor of images (Input, K.placeholder, a layer's output); "
                f"received {input_tensor!r}"
            )
        input_shape = input_shape or tuple(input_tensor.shape[1:])
    shape = resolve_input_shape(name, input_shape, default_shape)
    return shape, resolve_small_input(name, small_input, shape)


def check_common(name: str, include_top, weights, pooling, classes) -> None:
    if not isinstance(include_top, bool):
        raise ValueError(f"{name}: include_top must be True or False; received include_top={include_top!r}")
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{name}: pooling must be None, 'avg' or 'max'; received pooling={pooling!r}")
    check_classes(classes, name)
    if weights == "imagenet":
        imagenet_weights.check_available(name)
    if weights is not None and not isinstance(weights, (str, os.PathLike)):
        raise ValueError(f"{name}: weights must be None, 'imagenet' or a file path; received weights={weights!r}")


def assemble(
    name: str,
    backbone: Sequence[nn.Module],
    head: Sequence[nn.Module],
    input_shape: tuple,
    *,
    include_top: bool,
    pooling: str | None,
    weights,
    torchvision_names: dict[str, nn.Module] | Callable[[], dict[str, nn.Module]] | None = None,
    flattened: dict[str, nn.Module] | None = None,
    torchvision_optional: tuple[str, ...] = (),
    input_tensor=None,
) -> Classifier | Functional:
    """Put a zoo model together: the head or the `pooling` choice, torchvision's names, the weights.

    `torchvision_names` maps torchvision's module paths to layers; a function giving that map is
    called once the model is built, for layers that blocks create only when they know their input.
    `flattened` maps a torchvision path whose Dense layer reads a flattened map to the layer that
    produces that map: torch flattens it (C, H, W), Keras (H, W, C), so the weights are reordered.
    """
    if not include_top:
        head = {
            None: [],
            "avg": [GlobalAveragePooling2D(name="avg_pool")],
            "max": [GlobalMaxPooling2D(name="max_pool")],
        }[pooling]
    if input_tensor is not None:
        input_tensor = _model_input(input_tensor)
    model = Classifier(backbone, head, input_shape, name, input_tensor)
    present = {id(module) for module in model.modules()}
    if callable(torchvision_names):
        torchvision_names = torchvision_names()
    for path, layer in (torchvision_names or {}).items():
        if id(layer) in present:
            model.torchvision_names[path] = (layer, None)
    for path, source in (flattened or {}).items():
        if path in model.torchvision_names:
            _, h, w, c = output_shape_of(model, source)
            model.torchvision_names[path] = (model.torchvision_names[path][0], (c, h, w))
    model.torchvision_optional = torchvision_optional
    if weights == "imagenet":
        weights = imagenet_weights.imagenet_file(name)
    if weights is not None:
        load_weights_file(model, weights)
    if input_tensor is not None:  # as Keras builds it: a functional model, its input layer first
        return Functional(input_tensor, model.output, name=model.name)
    return model


def _model_input(input_tensor):
    """Keras's applications' `input_tensor`: an Input is the model's input; any other graph tensor
    (an op on a K.placeholder) comes in through an input layer of its own, `Input(tensor=...)`, so
    `model.layers[0]` is an input layer and the rest are the network's, as in Keras."""
    if isinstance(input_tensor.source, InputLayer) and not input_tensor.node.inputs:
        return input_tensor
    return Input(tensor=input_tensor)


def output_shape_of(model: Classifier, layer: nn.Module) -> Shape:
    for candidate, shape in zip(model.layers, model._output_shapes):
        if candidate is layer:
            return shape
    raise ValueError(f"{model.name}: layer {getattr(layer, 'name', layer)!r} is not a top-level layer")
