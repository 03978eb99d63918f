"""MobileNet (Howard et al. 2017): depthwise-separable convolutions, as Keras's
`keras.applications.mobilenet` builds it, layer for layer and name for name, so parameter counts
match Keras's (4,253,864 at alpha 1.0 with its top). A functional model; cnnkit downloads no ImageNet
weights for it (a Keras weights file loads with weights=path)."""

from __future__ import annotations

from cnnkit import layers
from cnnkit.applications.imagenet_utils import decode_predictions
from cnnkit.applications.keras_built import model_input, pooled, preprocess_input, with_weights
from cnnkit.models.functional import Functional

# (pointwise filters, stride) of the 13 depthwise-separable blocks
BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)) + ((512, 1),) * 5 + ((1024, 2), (1024, 1))


def _separable_block(x, filters: int, alpha: float, depth_multiplier: int, stride: int, index: int):
    """3x3 depthwise (padded at the end first when strided, as TensorFlow's 'same'), then 1x1
    pointwise, each with batch normalization and ReLU6."""
    if stride == 2:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{index}")(x)
    padding = "same" if stride == 1 else "valid"
    x = layers.DepthwiseConv2D(
        3, padding=padding, depth_multiplier=depth_multiplier, strides=stride, use_bias=False, name=f"conv_dw_{index}"
    )(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{index}_relu")(layers.BatchNormalization(name=f"conv_dw_{index}_bn")(x))
    x = layers.Conv2D(int(filters * alpha), 1, padding="same", use_bias=False, name=f"conv_pw_{index}")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{index}_relu")(layers.BatchNormalization(name=f"conv_pw_{index}_bn")(x))


def MobileNet(
    input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True, weights=None, input_tensor=None,
    pooling=None, classes=1000, classifier_activation="softmax", name=None,
):  # fmt: skip
    """Keras's MobileNet and its arguments (weights: None or a weights file); 224x224x3 by default."""
    arguments = (include_top, weights, input_tensor, input_shape, pooling, classes)
    inputs = model_input("MobileNet", (224, 224, 3), *arguments)
    x = layers.Conv2D(int(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="conv1")(inputs)
    x = layers.ReLU(6.0, name="conv1_relu")(layers.BatchNormalization(name="conv1_bn")(x))
    for index, (filters, stride) in enumerate(BLOCKS, start=1):
        x = _separable_block(x, filters, alpha, depth_multiplier, stride, index)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, 1, padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    else:
        x = pooled(x, pooling)
    return with_weights(Functional(inputs, x, name=name or f"mobilenet_{alpha:0.2f}_{inputs.shape[1] or 224}"), weights)


__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]
