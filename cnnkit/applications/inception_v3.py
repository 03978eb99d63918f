"""InceptionV3 (Szegedy et al. 2016, "Rethinking the Inception Architecture"), as Keras's
`keras.applications.inception_v3` builds it: the same layers in the same order, the concatenations
named mixed0 to mixed10, so parameter counts match Keras's (23,851,784 with its top). A functional
model; cnnkit downloads no ImageNet weights for it (a Keras weights file loads with weights=path).
299x299x3 by default; at least 75x75."""

from __future__ import annotations

from cnnkit import layers
from cnnkit.applications.imagenet_utils import decode_predictions
from cnnkit.applications.keras_built import model_input, pooled, preprocess_input, with_weights
from cnnkit.models.functional import Functional


def conv_bn(x, filters: int, rows: int, columns: int, strides: int = 1, padding: str = "same"):
    """Convolution without bias, batch normalization without scale (the ReLU after it makes a
    scale redundant), ReLU: every convolution of the network."""
    x = layers.Conv2D(filters, (rows, columns), strides=strides, padding=padding, use_bias=False)(x)
    return layers.Activation("relu")(layers.BatchNormalization(scale=False)(x))


def _chain(x, steps):
    """Convolutions one after another: each step (filters, rows, columns[, strides, padding])."""
    for step in steps:
        x = conv_bn(x, *step)
    return x


def _average_branch(x, filters: int):
    return conv_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), filters, 1, 1)


def _module_a(x, pool_filters: int, name: str):
    """35x35: 1x1; 1x1 then 5x5; 1x1 then two 3x3; average pool then 1x1."""
    branches = [
        conv_bn(x, 64, 1, 1),
        _chain(x, [(48, 1, 1), (64, 5, 5)]),
        _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)]),
        _average_branch(x, pool_filters),
    ]
    return layers.concatenate(branches, name=name)


def _module_c(x, width: int, name: str):
    """17x17 with factorized 7x7 convolutions (1x7 and 7x1) of `width` filters inside."""
    branches = [
        conv_bn(x, 192, 1, 1),
        _chain(x, [(width, 1, 1), (width, 1, 7), (192, 7, 1)]),
        _chain(x, [(width, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1), (192, 1, 7)]),
        _average_branch(x, 192),
    ]
    return layers.concatenate(branches, name=name)


def _module_e(x, index: int):
    """8x8 with the 3x3 split into parallel 1x3 and 3x1 convolutions. Layers are made in Keras's
    order, so their automatic names (conv2d_85, ...) are Keras's too."""
    single = conv_bn(x, 320, 1, 1)
    wide = conv_bn(x, 384, 1, 1)
    wide = layers.concatenate([conv_bn(wide, 384, 1, 3), conv_bn(wide, 384, 3, 1)], name=f"mixed9_{index}")
    deep = _chain(x, [(448, 1, 1), (384, 3, 3)])
    deep = layers.concatenate([conv_bn(deep, 384, 1, 3), conv_bn(deep, 384, 3, 1)])
    branches = [single, wide, deep, _average_branch(x, 192)]
    return layers.concatenate(branches, name=f"mixed{9 + index}")


def InceptionV3(
    include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
    classifier_activation="softmax", name="inception_v3",
):  # fmt: skip
    """Keras's InceptionV3 and its arguments (weights: None or a weights file)."""
    arguments = (include_top, weights, input_tensor, input_shape, pooling, classes)
    inputs = model_input("InceptionV3", (299, 299, 3), *arguments)
    x = _chain(inputs, [(32, 3, 3, 2, "valid"), (32, 3, 3, 1, "valid"), (64, 3, 3)])
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _chain(x, [(80, 1, 1, 1, "valid"), (192, 3, 3, 1, "valid")])
    x = layers.MaxPooling2D(3, strides=2)(x)
    for index, pool_filters in enumerate((32, 64, 64)):
        x = _module_a(x, pool_filters, f"mixed{index}")
    reduction = [
        conv_bn(x, 384, 3, 3, 2, "valid"),
        _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3, 2, "valid")]),
        layers.MaxPooling2D(3, strides=2)(x),
    ]
    x = layers.concatenate(reduction, name="mixed3")
    for index, width in enumerate((128, 160, 160, 192)):
        x = _module_c(x, width, f"mixed{4 + index}")
    reduction = [
        _chain(x, [(192, 1, 1), (320, 3, 3, 2, "valid")]),
        _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1), (192, 3, 3, 2, "valid")]),
        layers.MaxPooling2D(3, strides=2)(x),
    ]
    x = layers.concatenate(reduction, name="mixed8")
    for index in range(2):
        x = _module_e(x, index)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pooled(x, pooling)
    return with_weights(Functional(inputs, x, name=name), weights, "InceptionV3", include_top)


__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]
