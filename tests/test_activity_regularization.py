"""activity_regularizer and ActivityRegularization: the penalty on a layer's output, divided by
the batch size, in the loss that fit minimises and evaluate reports, as in Keras."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers, regularizers


def sparse_autoencoder():
    return keras.Sequential(
        [
            layers.Input((6,)),
            layers.Dense(3, activation="relu", activity_regularizer=regularizers.l1(0.1), name="code"),
            layers.Dense(6, name="decoded"),
        ]
    )


def test_the_penalty_joins_the_loss(rng, tmp_path):
    x = rng.random((8, 6)).astype(np.float32)
    model = sparse_autoencoder()
    model.compile(keras.optimizers.SGD(0.1), "mse")
    (w1, b1), (w2, b2) = (map(torch.from_numpy, model.get_layer(n).get_weights()) for n in ("code", "decoded"))
    inputs = torch.from_numpy(x)
    hidden = torch.relu(inputs @ w1 + b1)
    reconstruction = hidden @ w2 + b2
    expected = float(((reconstruction - inputs) ** 2).mean() + 0.1 * hidden.abs().sum() / 8)
    assert model.evaluate(x, x, verbose=0, batch_size=8) == pytest.approx(expected, rel=1e-5)
    assert model.train_on_batch(x, x) == pytest.approx(expected, rel=1e-5)  # the loss before the update
    model.predict(x, verbose=0)  # penalties from calls outside a step do not pile up into the next
    assert model.evaluate(x, x, verbose=0) == pytest.approx(model.evaluate(x, x, verbose=0), rel=1e-7)

    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.get_layer("code").get_config()["activity_regularizer"] == {"class_name": "L1", "config": {"l1": 0.1}}
    assert loaded.evaluate(x, x, verbose=0) == pytest.approx(model.evaluate(x, x, verbose=0), rel=1e-6)


def test_the_layer_form(rng):
    x = rng.random((4, 5)).astype(np.float32)
    model = keras.Sequential([layers.Input((5,)), layers.ActivityRegularization(l2=0.5), layers.Dense(1)])
    model.compile("sgd", "mse")
    kernel, bias = model.layers[-1].get_weights()
    prediction = torch.from_numpy(x @ kernel + bias)
    expected = float((prediction**2).mean() + 0.5 * (x**2).sum() / 4)
    assert model.evaluate(x, np.zeros((4, 1)), verbose=0) == pytest.approx(expected, rel=1e-5)
    again = layers.ActivityRegularization.from_config(model.layers[0].get_config())
    assert (again.l1, again.l2) == (0.0, 0.5)
