"""ResNet50V2, ResNet101V2, ResNet152V2 (He et al. 2016, "Identity Mappings in Deep Residual
Networks"): pre-activation residual blocks, as Keras's `keras.applications.resnet_v2` builds them,
layer for layer and name for name, so parameter counts and summaries match Keras's (25,613,800
for ResNet50V2 with its top). Functional models; cnnkit downloads no ImageNet weights for them (a
Keras weights file loads with weights=path)."""

from __future__ import annotations

from cnnkit import layers
from cnnkit.applications.imagenet_utils import decode_predictions
from cnnkit.applications.keras_built import model_input, preprocess_input, resnet_end

EPSILON = 1.001e-5  # Keras's batch-normalization epsilon in these networks


def _pre_activation_block(x, filters: int, stride: int = 1, projection: bool = False, name: str = ""):
    """BN-ReLU first, then 1x1, 3x3 (carrying the stride) and 1x1 (4 x filters) convolutions,
    added to the shortcut: a 1x1 projection of the pre-activation, or the input itself
    (subsampled by a 1x1 max-pool when strided)."""
    activated = layers.BatchNormalization(epsilon=EPSILON, name=f"{name}_preact_bn")(x)
    activated = layers.Activation("relu", name=f"{name}_preact_relu")(activated)
    if projection:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(activated)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    y = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_1_conv")(activated)
    y = layers.BatchNormalization(epsilon=EPSILON, name=f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.ZeroPadding2D(((1, 1), (1, 1)), name=f"{name}_2_pad")(y)
    y = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(y)
    y = layers.BatchNormalization(epsilon=EPSILON, name=f"{name}_2_bn")(y)
    y = layers.Activation("relu", name=f"{name}_2_relu")(y)
    y = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(y)
    return layers.Add(name=f"{name}_out")([shortcut, y])


def _stage(x, filters: int, blocks: int, last_stride: int, name: str):
    """A projection block, plain blocks, and a last block that halves the size (as Keras's V2
    stacks do: the stride sits at the end of each stage, except the last)."""
    x = _pre_activation_block(x, filters, projection=True, name=f"{name}_block1")
    for index in range(2, blocks):
        x = _pre_activation_block(x, filters, name=f"{name}_block{index}")
    return _pre_activation_block(x, filters, stride=last_stride, name=f"{name}_block{blocks}")


def _resnet_v2(
    model_name: str,
    depths: tuple[int, int, int, int],
    include_top: bool,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes: int,
    classifier_activation,
):
    arguments = (include_top, weights, input_tensor, input_shape, pooling, classes)
    inputs = model_input(model_name, (224, 224, 3), *arguments)
    x = layers.ZeroPadding2D(((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for index, (filters, blocks) in enumerate(zip((64, 128, 256, 512), depths)):
        x = _stage(x, filters, blocks, last_stride=1 if index == 3 else 2, name=f"conv{index + 2}")
    x = layers.BatchNormalization(epsilon=EPSILON, name="post_bn")(x)
    x = layers.Activation("relu", name="post_relu")(x)
    return resnet_end(inputs, x, model_name, include_top, pooling, classes, classifier_activation, weights)


def ResNet50V2(
    include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
    classifier_activation="softmax",
):  # fmt: skip
    """ResNet-50 with pre-activation blocks (3, 4, 6, 3), Keras's arguments (weights: None or a weights file)."""
    arguments = (include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation)
    return _resnet_v2("ResNet50V2", (3, 4, 6, 3), *arguments)


def ResNet101V2(
    include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
    classifier_activation="softmax",
):  # fmt: skip
    """ResNet-101 with pre-activation blocks (3, 4, 23, 3); see ResNet50V2."""
    arguments = (include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation)
    return _resnet_v2("ResNet101V2", (3, 4, 23, 3), *arguments)


def ResNet152V2(
    include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
    classifier_activation="softmax",
):  # fmt: skip
    """ResNet-152 with pre-activation blocks (3, 8, 36, 3); see ResNet50V2."""
    arguments = (include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation)
    return _resnet_v2("ResNet152V2", (3, 8, 36, 3), *arguments)


__all__ = ["ResNet101V2", "ResNet152V2", "ResNet50V2", "decode_predictions", "preprocess_input"]
