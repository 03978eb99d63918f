"""MobileNetV2 (Sandler et al. 2018): inverted residual blocks with linear bottlenecks, as Keras's
`keras.applications.mobilenet_v2` builds it, layer for layer and name for name, so parameter counts
match Keras's (3,538,984 at alpha 1.0 with its top). A functional model; cnnkit downloads no ImageNet
weights for it (a Keras weights file loads with weights=path)."""

from __future__ import annotations

from cnnkit import layers
from cnnkit.applications.imagenet_utils import decode_predictions
from cnnkit.applications.keras_built import model_input, pooled, preprocess_input, with_weights
from cnnkit.models.functional import Functional

# (output filters, stride, expansion, repeats) of each group of blocks, as in the paper's Table 2
BLOCKS = ((16, 1, 1, 1), (24, 2, 6, 2), (32, 2, 6, 3), (64, 2, 6, 4), (96, 1, 6, 3), (160, 2, 6, 3), (320, 1, 6, 1))


def make_divisible(value: float, divisor: int = 8) -> int:
    """The channel count nearest `value` that `divisor` divides, never more than 10% below it."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _batch_norm(name: str):
    return layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name=name)


def _pad_for_stride_2(size) -> tuple:
    """TensorFlow's asymmetric padding before a 3x3 stride-2 convolution: one less at the start
    on an axis of even (or unknown) length."""
    return tuple((0 if n is None or n % 2 == 0 else 1, 1) for n in size)


def _inverted_residual(x, filters: int, stride: int, expansion: int, alpha: float, index: int):
    """1x1 expansion (not in the first block), 3x3 depthwise, 1x1 linear projection; added to the
    input when the shapes allow."""
    channels = x.shape[-1]
    projected = make_divisible(int(filters * alpha))
    prefix = f"block_{index}_" if index else "expanded_conv_"
    y = x
    if index:
        y = layers.Conv2D(expansion * channels, 1, padding="same", use_bias=False, name=f"{prefix}expand")(y)
        y = layers.ReLU(6.0, name=f"{prefix}expand_relu")(_batch_norm(f"{prefix}expand_BN")(y))
    if stride == 2:
        y = layers.ZeroPadding2D(_pad_for_stride_2(y.shape[1:3]), name=f"{prefix}pad")(y)
    padding = "same" if stride == 1 else "valid"
    y = layers.DepthwiseConv2D(3, strides=stride, padding=padding, use_bias=False, name=f"{prefix}depthwise")(y)
    y = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(_batch_norm(f"{prefix}depthwise_BN")(y))
    y = layers.Conv2D(projected, 1, padding="same", use_bias=False, name=f"{prefix}project")(y)
    y = _batch_norm(f"{prefix}project_BN")(y)
    if channels == projected and stride == 1:
        return layers.Add(name=f"{prefix}add")([x, y])
    return y


def MobileNetV2(
    input_shape=None, alpha=1.0, include_top=True, weights=None, input_tensor=None, pooling=None, classes=1000,
    classifier_activation="softmax", name=None,
):  # fmt: skip
    """Keras's MobileNetV2 and its arguments (weights: None or a weights file); 224x224x3 by default."""
    arguments = (include_top, weights, input_tensor, input_shape, pooling, classes)
    inputs = model_input("MobileNetV2", (224, 224, 3), *arguments)
    x = layers.Conv2D(make_divisible(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="Conv1")(inputs)
    x = layers.ReLU(6.0, name="Conv1_relu")(_batch_norm("bn_Conv1")(x))
    index = 0
    for filters, stride, expansion, repeats in BLOCKS:
        for repeat in range(repeats):
            x = _inverted_residual(x, filters, stride if repeat == 0 else 1, expansion, alpha, index)
            index += 1
    last = make_divisible(1280 * alpha) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, 1, use_bias=False, name="Conv_1")(x)
    x = layers.ReLU(6.0, name="out_relu")(_batch_norm("Conv_1_bn")(x))
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pooled(x, pooling)
    return with_weights(
        Functional(inputs, x, name=name or f"mobilenetv2_{alpha:0.2f}_{inputs.shape[1] or 224}"), weights
    )


__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]
