"""AlexNet (Krizhevsky, Sutskever & Hinton 2012), the single-tower form torchvision ships.

Five convolutions (11x11/4, 5x5, then three 3x3) with three 3x3/2 max-pools, then two 4096-unit
dense layers with dropout: 61,100,840 parameters at 224x224x3 and 1000 classes, torchvision's
layout so its weights load. The paper's two GPU towers and local response normalisation are
left out, as in torchvision.

Small images (under 64 pixels a side, or small_input=True): the first convolution is 5x5 with
stride 1 (an 11x11/4 one would leave a 32x32 image 7x7 before the first pool), the pools use
'same' padding (32 -> 16 -> 8 -> 4), and the hidden dense layers have 512 units.
"""

from __future__ import annotations

from cnnkit.applications.classifier import Classifier, assemble, start
from cnnkit.applications.imagenet_utils import decode_predictions, preprocess_input  # noqa: F401  (Keras: <module>.<name>)
from cnnkit.applications.registry import register
from cnnkit.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D


@register("alexnet")
def AlexNet(
    include_top: bool = True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    small_input: bool | None = None,
) -> Classifier:
    """AlexNet (224x224x3 by default). Keras's arguments: include_top, weights, input_shape, pooling,
    classes, classifier_activation; `small_input` as described in the module."""
    name = "AlexNet"
    shape, small = start(name, (224, 224, 3), include_top, weights, input_shape, pooling, classes, small_input)
    pool_padding = "same" if small else "valid"
    conv1 = Conv2D(64, 5, padding=2, activation="relu", name="conv1") if small else None
    conv1 = conv1 or Conv2D(64, 11, strides=4, padding=2, activation="relu", name="conv1")
    convs = [
        conv1,
        Conv2D(192, 5, padding=2, activation="relu", name="conv2"),
        Conv2D(384, 3, padding=1, activation="relu", name="conv3"),
        Conv2D(256, 3, padding=1, activation="relu", name="conv4"),
        Conv2D(256, 3, padding=1, activation="relu", name="conv5"),
    ]
    pools = [MaxPooling2D(3, 2, padding=pool_padding, name=f"pool{i}") for i in (1, 2, 5)]
    features = [convs[0], pools[0], convs[1], pools[1], convs[2], convs[3], convs[4], pools[2]]
    width = 512 if small else 4096
    fc1, fc2 = Dense(width, activation="relu", name="fc1"), Dense(width, activation="relu", name="fc2")
    predictions = Dense(classes, activation=classifier_activation, name="predictions")
    head = [Flatten(name="flatten"), Dropout(0.5), fc1, Dropout(0.5), fc2, predictions]
    names = dict(zip(("features.0", "features.3", "features.6", "features.8", "features.10"), convs))
    names.update({"classifier.1": fc1, "classifier.4": fc2, "classifier.6": predictions})
    return assemble(
        name,
        features,
        head,
        shape,
        include_top=include_top,
        pooling=pooling,
        weights=weights,
        torchvision_names=names,
        flattened={"classifier.1": features[-1]},
        torchvision_optional=("classifier",),
    )
