"""An LSTM classifier (Hochreiter & Schmidhuber 1997, "Long short-term memory"), for sequences and
for images read row by row: a 28x28 MNIST digit is 28 timesteps of 28 pixels, the classic
"sequential MNIST" setting. Backbone: the rows (for images), then one LSTM (or a bidirectional
one); head: a softmax Dense layer on its last output. 128 units on MNIST: 81,674 parameters.
"""

from __future__ import annotations

from cnnkit.applications import imagenet_weights
from cnnkit.applications.classifier import Classifier, check_classes
from cnnkit.applications.registry import register
from cnnkit.applications.weights import load_weights_file
from cnnkit.layers import LSTM, Bidirectional, Dense, Reshape


def _sequence_shape(name: str, input_shape) -> tuple:
    shape = tuple(input_shape)
    if len(shape) not in (2, 3) or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ValueError(
            f"{name}: input_shape must be (timesteps, features) or an image's (height, width, channels) of "
            f"positive ints; received input_shape={input_shape!r}"
        )
    return shape


@register("lstm")
def LSTMClassifier(
    input_shape=None,
    classes: int = 10,
    units: int = 128,
    bidirectional: bool = False,
    dropout: float = 0.0,
    include_top: bool = True,
    weights=None,
    classifier_activation="softmax",
    pooling=None,
) -> Classifier:
    """`input_shape`: (timesteps, features), or (height, width, channels) read as `height` steps of
    `width * channels` values; (28, 28, 1) by default. `dropout` is the LSTM's input dropout.
    `pooling` is accepted for the zoo's common call and must be None."""
    name = "LSTMClassifier"
    check_classes(classes, name)
    if pooling is not None:
        raise ValueError(f"{name}: pooling does not apply to a recurrent network; received pooling={pooling!r}")
    shape = _sequence_shape(name, input_shape or (28, 28, 1))
    backbone = []
    if len(shape) == 3:
        backbone.append(Reshape((shape[0], shape[1] * shape[2]), name="rows"))
    recurrent = LSTM(units, dropout=dropout, name="lstm")
    backbone.append(Bidirectional(recurrent, name="bidirectional_lstm") if bidirectional else recurrent)
    head = [Dense(classes, activation=classifier_activation, name="predictions")] if include_top else []
    model = Classifier(backbone, head, shape, name)
    if weights == "imagenet":
        imagenet_weights.check_available(name)
    if weights is not None:
        load_weights_file(model, weights)
    return model
