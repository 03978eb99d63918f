"""VGG (Simonyan & Zisserman 2014, "Very Deep Convolutional Networks for Large-Scale Image Recognition").

Each variant is a list: a number is a 3x3 convolution with that many filters, "M" a 2x2 max-pool.
The layout is torchvision's (convolutions with bias; with batch norm, each is followed by
BatchNormalization), so its weights load and VGG16 has 138,357,544 parameters at 224x224x3.

Small images (under 64 pixels a side, or small_input=True): the pools use 'same' padding, so a
28x28 image still reaches the last block (28 -> 14 -> 7 -> 4 -> 2 -> 1), and the two hidden dense
layers have 512 units instead of 4096, the usual CIFAR-10 classifier.
"""

from __future__ import annotations

from cnnkit.applications.block import TORCH_BN
from cnnkit.applications.classifier import (
    Classifier,
    assemble,
    check_common,
    resolve_input_shape,
    resolve_small_input,
)
from cnnkit.applications.imagenet_utils import decode_predictions, preprocess_input  # noqa: F401  (Keras: <module>.<name>)
from cnnkit.applications.registry import register
from cnnkit.layers import BatchNormalization, Conv2D, Dense, Dropout, Flatten, MaxPooling2D, ReLU

CONFIGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def vgg(
    name: str,
    depth: int,
    batch_norm: bool,
    include_top: bool = True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    small_input: bool | None = None,
) -> Classifier:
    check_common(name, include_top, weights, pooling, classes)
    shape = resolve_input_shape(name, input_shape, (224, 224, 3))
    small = resolve_small_input(name, small_input, shape)
    names = {}
    features, index, block, conv = [], 0, 1, 1  # index counts torchvision's `features` modules
    for item in CONFIGS[depth]:
        if item == "M":
            features.append(MaxPooling2D(2, padding="same" if small else "valid", name=f"block{block}_pool"))
            block, conv, index = block + 1, 1, index + 1
            continue
        layer = Conv2D(item, 3, padding=1, activation=None if batch_norm else "relu", name=f"block{block}_conv{conv}")
        features.append(layer)
        names[f"features.{index}"] = layer
        if batch_norm:
            norm = BatchNormalization(**TORCH_BN, name=f"block{block}_bn{conv}")
            features += [norm, ReLU(name=f"block{block}_relu{conv}")]
            names[f"features.{index + 1}"] = norm
        index += 3 if batch_norm else 2
        conv += 1
    width = 512 if small else 4096
    fc1 = Dense(width, activation="relu", name="fc1")
    fc2 = Dense(width, activation="relu", name="fc2")
    predictions = Dense(classes, activation=classifier_activation, name="predictions")
    head = [Flatten(name="flatten"), fc1, Dropout(0.5), fc2, Dropout(0.5), predictions]
    names.update({"classifier.0": fc1, "classifier.3": fc2, "classifier.6": predictions})
    return assemble(
        name,
        features,
        head,
        shape,
        include_top=include_top,
        pooling=pooling,
        weights=weights,
        torchvision_names=names,
        flattened={"classifier.0": features[-1]},
        torchvision_optional=("classifier",),
    )


def _builder(depth: int, batch_norm: bool):
    name = f"VGG{depth}" + ("_BN" if batch_norm else "")

    def build(**kwargs) -> Classifier:
        return vgg(name, depth, batch_norm, **kwargs)

    build.__name__ = name
    build.__doc__ = (
        f"VGG-{depth}{' with batch normalization' if batch_norm else ''} (224x224x3 by default; torchvision's "
        "layout). `small_input` (default: sides under 64 pixels) uses 'same' pooling and 512-unit hidden "
        "layers. Keras's arguments: include_top, weights, input_shape, pooling, classes, classifier_activation."
    )
    return register(name.lower())(build)


VGG11, VGG13, VGG16, VGG19 = (_builder(depth, False) for depth in (11, 13, 16, 19))
VGG11_BN, VGG13_BN, VGG16_BN, VGG19_BN = (_builder(depth, True) for depth in (11, 13, 16, 19))
