"""GoogLeNet, Inception v1 (Szegedy et al. 2014, "Going Deeper with Convolutions").

torchvision's layout, so its weights load and the parameter count is 6,624,904 at 224x224x3
without the auxiliary classifiers: every convolution is followed by batch normalization
(epsilon 1e-3), and the "5x5" branch of each Inception module uses a 3x3 kernel, as torchvision
does; `five_by_five=True` restores the paper's 5x5 kernels (weights from torchvision then no
longer fit). 'same' max-pooling gives torchvision's ceil-mode sizes (224 -> 112 -> 56 -> 28 -> 14 -> 7).

Auxiliary classifiers (`aux_logits=True`, off by default) make a functional model with three
outputs, [main, aux1, aux2], for training with loss weights such as [1, 0.3, 0.3]; each aux head
is the paper's: 5x5/3 average pool, 1x1 convolution of 128, 1024-unit dense layer, 70% dropout.

Small images (under 64 pixels a side, or small_input=True): a 3x3/1 first convolution and no
first max-pool, so a 32x32 image meets the Inception modules at 16x16, 8x8 and 4x4.
"""

from __future__ import annotations

import torch

from cnnkit.applications import imagenet_utils
from cnnkit.applications.block import ConvBN, build_chain, chain_shape, run_chain
from cnnkit.applications.classifier import Classifier, assemble, start
from cnnkit.applications.imagenet_utils import decode_predictions  # noqa: F401  (Keras: <module>.<name>)
from cnnkit.applications.registry import register
from cnnkit.applications.weights import load_weights_file
from cnnkit.common.layout import Shape
from cnnkit.layers import AveragePooling2D, Dense, Dropout, Flatten, GlobalAveragePooling2D, Input, MaxPooling2D
from cnnkit.layers.layer import Layer
from cnnkit.models.model import Model


def preprocess_input(x, data_format=None, mode: str = "tf"):
    """Pixels as torchvision's GoogLeNet weights want them: scaled to [-1, 1] ("tf" mode). Those
    weights were ported from TensorFlow, and torchvision converts its usual normalization back to
    [-1, 1] inside the model (`transform_input`); cnnkit's GoogLeNet leaves that to this function."""
    return imagenet_utils.preprocess_input(x, data_format, mode)


_EPSILON = 1e-3  # torchvision's GoogLeNet batch norm


class Inception(Layer):
    """Four parallel branches joined on the channels: 1x1; 1x1 then 3x3; 1x1 then "5x5"; 3x3
    max-pool then 1x1.

    Input shape: (batch, height, width, channels). Output shape: (batch, height, width,
    ch1x1 + ch3x3 + ch5x5 + pool_proj)."""

    def __init__(self, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, five_by_five=False, **kwargs):
        super().__init__(**kwargs)
        wide = 5 if five_by_five else 3
        self.branch1 = ConvBN(ch1x1, 1, epsilon=_EPSILON, name="branch1")
        self.branch2_reduce = ConvBN(ch3x3red, 1, epsilon=_EPSILON, name="branch2_reduce")
        self.branch2 = ConvBN(ch3x3, 3, padding=1, epsilon=_EPSILON, name="branch2")
        self.branch3_reduce = ConvBN(ch5x5red, 1, epsilon=_EPSILON, name="branch3_reduce")
        self.branch3 = ConvBN(ch5x5, wide, padding=wide // 2, epsilon=_EPSILON, name="branch3")
        self.branch4_pool = MaxPooling2D(3, strides=1, padding="same", name="branch4_pool")
        self.branch4 = ConvBN(pool_proj, 1, epsilon=_EPSILON, name="branch4")
        self.widths = (ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)
        self.five_by_five = bool(five_by_five)

    def branches(self) -> list[list[Layer]]:
        return [
            [self.branch1],
            [self.branch2_reduce, self.branch2],
            [self.branch3_reduce, self.branch3],
            [self.branch4_pool, self.branch4],
        ]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shapes = [chain_shape(branch, input_shape) for branch in self.branches()]
        return (*shapes[0][:-1], sum(shape[-1] for shape in shapes))

    def build(self, input_shape: Shape) -> None:
        for branch in self.branches():
            build_chain(branch, input_shape)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([run_chain(branch, x) for branch in self.branches()], dim=1)

    def torchvision_parts(self, path: str) -> dict[str, Layer]:
        parts = {
            "branch1": self.branch1,
            "branch2.0": self.branch2_reduce,
            "branch2.1": self.branch2,
            "branch3.0": self.branch3_reduce,
            "branch3.1": self.branch3,
            "branch4.1": self.branch4,
        }
        return conv_bn_names({f"{path}.{part}": layer for part, layer in parts.items()})

    def get_config(self) -> dict:
        names = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")
        return {**super().get_config(), **dict(zip(names, self.widths)), "five_by_five": self.five_by_five}


class InceptionAux(Layer):
    """An auxiliary classifier (the paper's): 5x5/3 average pool, 1x1 convolution of 128 with batch
    norm, a 1024-unit ReLU dense layer, 70% dropout, then the class scores.

    Input shape: (batch, height, width, channels), at least 5x5. Output shape: (batch, classes)."""

    def __init__(self, classes: int, classifier_activation="softmax", **kwargs) -> None:
        super().__init__(**kwargs)
        self.classes, self.classifier_activation = classes, classifier_activation
        self.pool = AveragePooling2D(5, strides=3, name="pool")
        self.conv = ConvBN(128, 1, epsilon=_EPSILON, name="conv")
        self.flatten = Flatten(name="flatten")
        self.fc1 = Dense(1024, activation="relu", name="fc1")
        self.dropout = Dropout(0.7, name="dropout")
        self.fc2 = Dense(classes, activation=classifier_activation, name="fc2")

    def parts(self) -> list[Layer]:
        return [self.pool, self.conv, self.flatten, self.fc1, self.dropout, self.fc2]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return chain_shape(self.parts(), input_shape)

    def build(self, input_shape: Shape) -> None:
        self.conv_output_shape = chain_shape([self.pool, self.conv], input_shape)
        build_chain(self.parts(), input_shape)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return run_chain(self.parts(), x)

    def get_config(self) -> dict:
        activation = self.fc2.activation_name
        return {**super().get_config(), "classes": self.classes, "classifier_activation": activation}


def conv_bn_names(blocks: dict[str, ConvBN]) -> dict[str, Layer]:
    """torchvision's BasicConv2d at `path` holds `path.conv` and `path.bn`."""
    names = {}
    for path, block in blocks.items():
        names[f"{path}.conv"], names[f"{path}.bn"] = block.conv, block.bn
    return names


# (name, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj) of each module, "M" for a max-pool.
MODULES = [
    ("inception3a", 64, 96, 128, 16, 32, 32),
    ("inception3b", 128, 128, 192, 32, 96, 64),
    ("maxpool3", 3),
    ("inception4a", 192, 96, 208, 16, 48, 64),
    ("inception4b", 160, 112, 224, 24, 64, 64),
    ("inception4c", 128, 128, 256, 24, 64, 64),
    ("inception4d", 112, 144, 288, 32, 64, 64),
    ("inception4e", 256, 160, 320, 32, 128, 128),
    ("maxpool4", 2),
    ("inception5a", 256, 160, 320, 32, 128, 128),
    ("inception5b", 384, 192, 384, 48, 128, 128),
]


@register("googlenet")
def GoogLeNet(
    include_top: bool = True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    small_input: bool | None = None,
    aux_logits: bool = False,
    five_by_five: bool = False,
):
    """GoogLeNet (224x224x3 by default). Keras's arguments: include_top, weights, input_shape, pooling,
    classes, classifier_activation; `small_input`, `aux_logits` and `five_by_five` as described in
    the module. With aux_logits=True the result is a functional Model with three outputs."""
    name = "GoogLeNet"
    shape, small = start(name, (224, 224, 3), include_top, weights, input_shape, pooling, classes, small_input)
    if aux_logits and not include_top:
        raise ValueError(f"{name}: aux_logits=True needs include_top=True (the auxiliary heads are classifiers)")
    if small:
        stem = [ConvBN(64, 3, padding=1, epsilon=_EPSILON, name="conv1")]
    else:
        stem = [
            ConvBN(64, 7, strides=2, padding=3, epsilon=_EPSILON, name="conv1"),
            MaxPooling2D(3, 2, padding="same", name="maxpool1"),
        ]
    conv2 = ConvBN(64, 1, epsilon=_EPSILON, name="conv2")
    conv3 = ConvBN(192, 3, padding=1, epsilon=_EPSILON, name="conv3")
    backbone = [*stem, conv2, conv3, MaxPooling2D(3, 2, padding="same", name="maxpool2")]
    for spec in MODULES:
        if len(spec) == 2:
            backbone.append(MaxPooling2D(spec[1], 2, padding="same", name=spec[0]))
        else:
            backbone.append(Inception(*spec[1:], five_by_five=five_by_five, name=spec[0]))
    fc = Dense(classes, activation=classifier_activation, name="predictions")
    head = [GlobalAveragePooling2D(name="avg_pool"), Dropout(0.2, name="dropout"), fc]
    names = conv_bn_names({"conv1": stem[0], "conv2": conv2, "conv3": conv3})
    for layer in backbone:
        if isinstance(layer, Inception):
            names.update(layer.torchvision_parts(layer.name))
    names["fc"] = fc
    model = assemble(
        name,
        backbone,
        head,
        shape,
        include_top=include_top,
        pooling=pooling,
        weights=None if aux_logits else weights,
        torchvision_names=names,
        torchvision_optional=("fc", "aux1", "aux2"),
    )
    if not aux_logits:
        return model
    return _with_auxiliary_heads(model, classes, classifier_activation, weights)


def _with_auxiliary_heads(model: Classifier, classes: int, classifier_activation, weights) -> Model:
    """The same layers as a functional model whose outputs are [main, aux1 (after 4a), aux2 (after 4d)]."""
    inputs = Input(shape=model.input_shape[1:], name="input")
    x, taps = inputs, {}
    for layer in model.layers:
        x = layer(x)
        taps[layer.name] = x
    aux1 = InceptionAux(classes, classifier_activation, name="aux1")
    aux2 = InceptionAux(classes, classifier_activation, name="aux2")
    outputs = [x, aux1(taps["inception4a"]), aux2(taps["inception4d"])]
    training_model = Model(inputs, outputs, name="GoogLeNet")
    names = dict(model.torchvision_names)
    for prefix, aux in (("aux1", aux1), ("aux2", aux2)):
        names.update({f"{prefix}.conv.conv": (aux.conv.conv, None), f"{prefix}.conv.bn": (aux.conv.bn, None)})
        _, h, w, c = aux.conv_output_shape
        names[f"{prefix}.fc1"] = (aux.fc1, (c, h, w))
        names[f"{prefix}.fc2"] = (aux.fc2, None)
    training_model.torchvision_names = names
    training_model.torchvision_optional = ()
    if weights is not None:
        load_weights_file(training_model, weights)
    return training_model
