"""LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to document
recognition"), and the Fashion-MNIST tutorial CNN of cnnkit's README.

LeNet-5 as in the paper: C1 six 5x5 convolutions, S2 2x2 average subsampling, C3 sixteen 5x5
convolutions, S4 subsampling, C5 120 5x5 convolutions, F6 84 units, tanh throughout, on a 32x32
input. Simplifications, as in every modern rendering: C3 connects to all six S2 maps (the paper's
sparse table has 1,516 weights, ours 2,416), subsampling is plain average pooling (the paper's has
a trainable coefficient and bias per map), tanh is unscaled, and the output is a softmax Dense
layer rather than Euclidean RBF units. That gives 61,706 parameters for 10 classes.

`variant="modern"` uses ReLU and max-pooling instead. A 28x28 MNIST image is handled as the paper
handled it: C1 pads it ('same') so C5 still sees 5x5 maps.
"""

from __future__ import annotations

from cnnkit.applications.classifier import Classifier, assemble, start
from cnnkit.applications.registry import register
from cnnkit.layers import AveragePooling2D, Conv2D, Dense, Flatten, LeakyReLU, MaxPooling2D


@register("lenet5")
def LeNet5(
    include_top: bool = True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes: int = 10,
    classifier_activation="softmax",
    variant: str = "classic",
) -> Classifier:
    """LeNet-5 (32x32x1 by default). `variant`: "classic" (tanh, average pooling) or "modern"
    (ReLU, max-pooling). Keras's arguments: include_top, weights, input_shape, pooling, classes,
    classifier_activation."""
    name = "LeNet5"
    shape, _ = start(name, (32, 32, 1), include_top, weights, input_shape, pooling, classes)
    if variant not in ("classic", "modern"):
        raise ValueError(f"{name}: variant must be 'classic' or 'modern'; received variant={variant!r}")
    activation = "tanh" if variant == "classic" else "relu"
    pool = AveragePooling2D if variant == "classic" else MaxPooling2D
    backbone = [
        Conv2D(6, 5, activation=activation, padding="same" if min(shape[:2]) < 32 else "valid", name="c1"),
        pool(2, name="s2"),
        Conv2D(16, 5, activation=activation, name="c3"),
        pool(2, name="s4"),
        Conv2D(120, 5, activation=activation, name="c5"),
    ]
    head = [
        Flatten(name="flatten"),
        Dense(84, activation=activation, name="f6"),
        Dense(classes, activation=classifier_activation, name="predictions"),
    ]
    return assemble(name, backbone, head, shape, include_top=include_top, pooling=pooling, weights=weights)


@register("lenet5_modern")
def LeNet5Modern(**kwargs) -> Classifier:
    """LeNet-5 with ReLU and max-pooling: `LeNet5(variant="modern")`."""
    return LeNet5(variant="modern", **kwargs)


@register("fashion_cnn")
def FashionCNN(
    include_top: bool = True,
    weights=None,
    input_shape=None,
    pooling=None,
    classes: int = 10,
    classifier_activation="softmax",
) -> Classifier:
    """The Fashion-MNIST tutorial network (28x28x1 by default): three 3x3 convolutions of 32, 64 and
    128 filters, each with LeakyReLU(0.1) and a 'same' 2x2 max-pool, then a 128-unit dense layer.
    356,234 parameters for 10 classes."""
    name = "FashionCNN"
    shape, _ = start(name, (28, 28, 1), include_top, weights, input_shape, pooling, classes)
    backbone = []
    for block, filters in enumerate((32, 64, 128), start=1):
        backbone += [
            Conv2D(filters, 3, padding="same", name=f"conv{block}"),
            LeakyReLU(0.1, name=f"leaky_relu{block}"),
            MaxPooling2D(2, padding="same", name=f"pool{block}"),
        ]
    head = [
        Flatten(name="flatten"),
        Dense(128, name="fc1"),
        LeakyReLU(0.1, name="leaky_relu_fc1"),
        Dense(classes, activation=classifier_activation, name="predictions"),
    ]
    return assemble(name, backbone, head, shape, include_top=include_top, pooling=pooling, weights=weights)
