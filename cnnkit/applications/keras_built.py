"""What the applications built layer for layer as Keras builds them share (resnet_v2, mobilenet,
mobilenet_v2, inception_v3): Keras's arguments checked as the zoo checks them, the input, the
pooled end without the top, and preprocessing in Keras's "tf" mode ([-1, 1])."""

from __future__ import annotations

import os

from cnnkit import layers
from cnnkit.applications import imagenet_utils, keras_weights
from cnnkit.applications.classifier import check_common, resolve_input_shape
from cnnkit.models.functional import Functional


def model_input(name: str, default_shape: tuple, include_top, weights, input_tensor, input_shape, pooling, classes):
    """The model's input tensor after checking Keras's arguments. `weights` is None, "imagenet"
    (Keras's published file, for the networks keras_weights.py lists) or a weights file (Keras
    Applications' `.h5`), see `with_weights`."""
    check_common(name, include_top, None, pooling, classes)
    if weights == "imagenet" and name not in keras_weights.FILES:
        raise ValueError(
            f"{name}: cnnkit has no pretrained weights to download for it (weights={weights!r}); pass weights=None, "
            "or the path of a weights file (Keras Applications' .h5 files load by layer name)"
        )
    if weights is not None and not isinstance(weights, (str, os.PathLike)):
        raise ValueError(f"{name}: weights must be None, 'imagenet' or a file path; received weights={weights!r}")
    if input_tensor is not None:
        return input_tensor
    return layers.Input(shape=resolve_input_shape(name, input_shape, default_shape))


def with_weights(model, weights, name: str | None = None, include_top: bool = True):
    """`model` with the weights file `weights` loaded (None: as built; "imagenet": Keras's file
    for the network `name`)."""
    if weights == "imagenet":
        weights = keras_weights.imagenet_file(name, include_top)
    if weights is not None:
        model.load_weights(weights)
    return model


def resnet_end(inputs, x, model_name: str, include_top, pooling, classes, classifier_activation, weights):
    """Keras's ResNets' end: average pooling and the `predictions` layer, or `pooling` without the
    top; the model, with `weights` loaded."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = pooled(x, pooling, "avg_pool", "max_pool")
    return with_weights(Functional(inputs, x, name=model_name.lower()), weights, model_name, include_top)


def pooled(x, pooling: str | None, avg_name: str | None = None, max_name: str | None = None):
    """Without the top: Keras's `pooling` of the last feature map (None keeps the map)."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def preprocess_input(x, data_format=None):
    """Keras's "tf" mode for these networks: pixels 0..255 scaled to -1..1 (arrays, or a
    symbolic tensor as a Rescaling layer)."""
    return imagenet_utils.preprocess_input(x, data_format, mode="tf")
