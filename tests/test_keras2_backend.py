"""Keras 2's backend functions and Sequential methods that older tutorials call: K.set_value and
K.get_value on the learning rate, K.eval, K.int_shape, predict_classes and predict_proba."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import backend as K
from cnnkit import layers


def classifier(classes=3):
    model = keras.Sequential(
        [layers.Input((4,)), layers.Dense(classes, activation="softmax" if classes > 1 else "sigmoid")]
    )
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.1))
    return model


def test_learning_rate_set_as_keras_2_callbacks_do(rng):
    model = classifier()
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.1)
    K.set_value(model.optimizer.lr, 0.01)  # a step-decay callback's line
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    model.optimizer.learning_rate.assign(0.005)  # Keras 3's variable form
    assert K.eval(model.optimizer.learning_rate) == pytest.approx(0.005)
    history = model.fit(rng.random((8, 4)), rng.random((8, 3)), epochs=1, verbose=0)
    assert "learning_rate" not in history.history  # Keras 3 logs it only under a rate callback
    assert float(model.optimizer.learning_rate) == pytest.approx(0.005)
    with pytest.raises(TypeError, match="cannot be set in place"):
        K.set_value(0.1, 0.2)


def test_tensors_and_shapes(rng):
    weight = torch.zeros(2, 3)
    K.set_value(weight, np.ones((2, 3)))
    np.testing.assert_array_equal(K.get_value(weight), np.ones((2, 3)))
    assert K.int_shape(layers.Input((28, 28, 1))) == (None, 28, 28, 1)
    assert K.int_shape(torch.zeros(5, 1, 28, 28)) == (5, 28, 28, 1)  # images reported channels-last


def test_predict_classes_and_proba(rng):
    x = rng.random((6, 4)).astype("float32")
    softmax = classifier(3)
    np.testing.assert_array_equal(softmax.predict_classes(x), softmax.predict(x, verbose=0).argmax(-1))
    sigmoid = classifier(1)
    expected = (sigmoid.predict(x, verbose=0) > 0.5).astype("int32")
    np.testing.assert_array_equal(sigmoid.predict_classes(x), expected)
    np.testing.assert_array_equal(sigmoid.predict_proba(x), sigmoid.predict(x, verbose=0))
