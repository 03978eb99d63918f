"""Two results that came out silently wrong, checked against NumPy: a user's loss or metric gets
labels of the predictions' rank and dtype (as Keras gives them), and a softmax over the last axis
of a sequence output takes its cross-entropy over the classes, not over time."""

import numpy as np
import pytest

import cnnkit
from cnnkit import layers


def regression_model():
    return cnnkit.Sequential([layers.Input((3,)), layers.Dense(1)])


def test_a_custom_loss_gets_labels_shaped_like_the_predictions(rng):
    x = rng.normal(size=(12, 3)).astype("float32")
    y = rng.integers(0, 5, size=12)  # (N,) int64 against an (N, 1) output

    def squared_error(y_true, y_pred):
        assert y_true.shape == y_pred.shape and y_true.dtype == y_pred.dtype
        return ((y_true - y_pred) ** 2).mean(-1)

    def absolute_error(y_true, y_pred):
        return (y_true - y_pred).abs().mean(-1)

    model = regression_model()
    model.compile(optimizer="sgd", loss=squared_error, metrics=[absolute_error])
    loss, metric = model.evaluate(x, y, verbose=0)
    predicted = model.predict(x, verbose=0)  # (12, 1)
    assert loss == pytest.approx(float(((y[:, None] - predicted) ** 2).mean()), rel=1e-5)
    assert metric == pytest.approx(float(np.abs(y[:, None] - predicted).mean()), rel=1e-5)


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
def test_softmax_over_a_sequence_takes_the_cross_entropy_over_the_classes(rng, loss):
    x = rng.normal(size=(16, 5, 3)).astype("float32")  # (batch, time, features)
    labels = rng.integers(0, 4, size=(16, 5))
    y = labels if loss.startswith("sparse") else np.eye(4, dtype="float32")[labels]
    model = cnnkit.Sequential([layers.Input((5, 3)), layers.Dense(4, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    probabilities = model.predict(x, verbose=0)  # (16, 5, 4)
    expected_loss = -np.log(np.take_along_axis(probabilities, labels[..., None], -1)).mean()
    expected_accuracy = (probabilities.argmax(-1) == labels).mean()
    value, accuracy = model.evaluate(x, y, verbose=0)
    assert value == pytest.approx(float(expected_loss), rel=1e-5)
    assert accuracy == pytest.approx(float(expected_accuracy))
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    # One step on one batch: the logged loss is that step's forward, made before the update.
    assert history.history["loss"][0] == pytest.approx(float(expected_loss), rel=1e-5)
