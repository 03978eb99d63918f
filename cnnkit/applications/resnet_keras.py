"""ResNet50/101/152 as Keras's `keras.applications.resnet` builds them, layer for layer and name for
name (25,636,712 parameters for ResNet50 with its top), so Keras Applications' weight files load
into them and predict what Keras predicts.

Keras's ResNet v1 differs from torchvision's (cnnkit's zoo ResNet50, which takes torchvision's
weights): a strided block puts its stride in the first 1x1 convolution, not in the 3x3 one, and
its batch normalizations use epsilon 1.001e-5. `ResNet50(weights="x.h5")` with a Keras HDF5 file
builds this network (cnnkit/applications/resnet.py); `keras_resnet` is that builder.
"""

from __future__ import annotations

from cnnkit import layers
from cnnkit.applications.keras_built import model_input, resnet_end

EPSILON = 1.001e-5  # Keras's batch-normalization epsilon in these networks
DEPTHS = {"ResNet50": (3, 4, 6, 3), "ResNet101": (3, 4, 23, 3), "ResNet152": (3, 8, 36, 3)}


def _block(x, filters: int, stride: int = 1, projection: bool = False, name: str = ""):
    """1x1 (carrying the stride), 3x3 and 1x1 (4 x filters) convolutions, each batch-normalized,
    added to the shortcut (a batch-normalized 1x1 projection, or the input itself), then ReLU."""
    if projection:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(epsilon=EPSILON, name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    y = x
    for part, (width, size, step) in enumerate(((filters, 1, stride), (filters, 3, 1), (4 * filters, 1, 1)), 1):
        y = layers.Conv2D(
            width, size, strides=step, padding="same" if size == 3 else "valid", name=f"{name}_{part}_conv"
        )(y)
        y = layers.BatchNormalization(epsilon=EPSILON, name=f"{name}_{part}_bn")(y)
        if part < 3:
            y = layers.Activation("relu", name=f"{name}_{part}_relu")(y)
    y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def keras_resnet(
    model_name: str,
    include_top: bool = True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
):
    arguments = (include_top, weights, input_tensor, input_shape, pooling, classes)
    inputs = model_input(model_name, (224, 224, 3), *arguments)
    x = layers.ZeroPadding2D(((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.BatchNormalization(epsilon=EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for index, (filters, blocks) in enumerate(zip((64, 128, 256, 512), DEPTHS[model_name])):
        stage = f"conv{index + 2}"
        x = _block(x, filters, stride=1 if index == 0 else 2, projection=True, name=f"{stage}_block1")
        for block in range(2, blocks + 1):
            x = _block(x, filters, name=f"{stage}_block{block}")
    return resnet_end(inputs, x, model_name, include_top, pooling, classes, classifier_activation, weights)
