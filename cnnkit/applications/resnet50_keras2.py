"""ResNet50 as Keras 2.3 built it (keras_applications 1.0.8), taken under Keras 2's defaults
(`cnnkit run --keras 2`) by `keras.applications.ResNet50`: the programs of its time read its
layers by Keras 2's names (class_activation_maps.py asks for `activation_49`, its last ReLU, and
`fc1000`), and Keras 2's published weights file loads by those names.

What differs from Keras 3's ResNet50 (resnet_keras.py): layer names (`conv1`, `bn_conv1`,
`res2a_branch2a`, `bn2a_branch2a`, ...; the ReLUs and additions unnamed, so a fresh session numbers
them `activation_1` ... `activation_49`), batch normalization at Keras's default epsilon (1e-3),
and the top `fc1000`. The parameter count is the same (25,636,712 with the top).
"""

from __future__ import annotations

from cnnkit import layers
from cnnkit.applications.keras_built import model_input, pooled, with_weights
from cnnkit.models.functional import Functional

STAGES = (
    (2, (64, 64, 256), "abc"),
    (3, (128, 128, 512), "abcd"),
    (4, (256, 256, 1024), "abcdef"),
    (5, (512, 512, 2048), "abc"),
)


def _block(x, filters: tuple[int, int, int], stage: int, block: str, strides: int | None):
    """Keras 2's identity_block (strides None: the input is the shortcut) or conv_block (a strided
    1x1 projection shortcut; the stride is in the first 1x1 convolution too)."""
    conv, norm = f"res{stage}{block}_branch", f"bn{stage}{block}_branch"
    y = x
    for part, (width, size) in zip("abc", zip(filters, (1, 3, 1))):
        step = strides if part == "a" and strides else 1
        padding = "same" if size == 3 else "valid"
        y = layers.Conv2D(
            width, size, strides=step, padding=padding, kernel_initializer="he_normal", name=f"{conv}2{part}"
        )(y)
        y = layers.BatchNormalization(name=f"{norm}2{part}")(y)
        if part != "c":
            y = layers.Activation("relu")(y)
    shortcut = x
    if strides:
        shortcut = layers.Conv2D(filters[2], 1, strides=strides, kernel_initializer="he_normal", name=f"{conv}1")(x)
        shortcut = layers.BatchNormalization(name=f"{norm}1")(shortcut)
    return layers.Activation("relu")(layers.add([y, shortcut]))


def ResNet50(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000, **kwargs
):  # fmt: skip
    """Keras 2.3's `keras.applications.ResNet50` (224x224x3 by default, ImageNet weights by default)."""
    inputs = model_input(
        "ResNet50 (Keras 2)", (224, 224, 3), include_top, weights, input_tensor, input_shape, pooling, classes
    )
    x = layers.ZeroPadding2D((3, 3), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, kernel_initializer="he_normal", name="conv1")(x)
    x = layers.BatchNormalization(name="bn_conv1")(x)
    x = layers.Activation("relu")(x)
    x = layers.ZeroPadding2D((1, 1), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2)(x)
    for stage, filters, blocks in STAGES:
        for block in blocks:
            first = 1 if stage == 2 else 2
            x = _block(x, filters, stage, block, first if block == "a" else None)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=kwargs.get("classifier_activation", "softmax"), name="fc1000")(x)
    else:
        x = pooled(x, pooling)
    return with_weights(Functional(inputs, x, name="resnet50"), weights, "ResNet50 (Keras 2)", include_top)
