"""A user's layer written as Keras's guide writes one: add_weight by keyword or Keras 3's positional
order, initializers by name, per-weight regularizer and constraint, and the output shape found by
running the layer when it does not say."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers


class Linear(keras.layers.Layer):
    """The guide's first layer: y = x w + b."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
            regularizer=keras.regularizers.l2(0.1),
            constraint=keras.constraints.NonNeg(),
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return inputs @ self.w + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Counter(keras.layers.Layer):
    """Keras 3's positional add_weight(shape, initializer) and a non-trainable weight."""

    def build(self, input_shape):
        self.total = self.add_weight((input_shape[-1],), "ones", trainable=False)

    def call(self, inputs):
        return inputs * self.total


class Pairs(keras.layers.Layer):
    """Changes every axis it can: (steps, features) -> (steps // 2, features * 2)."""

    def call(self, x):
        return x.reshape(x.shape[0], x.shape[1] // 2, x.shape[2] * 2)


def test_the_guides_layer_trains_in_a_sequential_model(rng, tmp_path):
    model = keras.Sequential([layers.Input((3,)), Linear(4), layers.Dense(1)])
    linear = model.layers[0]
    assert model.output_shape == (None, 1) and linear._weight_names == ["w", "b"]  # named by their attributes
    assert sorted(linear.state_dict()) == ["b", "w"]  # each saved once
    assert [tuple(w.shape) for w in linear.weights] == [(3, 4), (4,)]
    np.testing.assert_allclose(float(model.losses[0].detach()), 0.1 * float((linear.w.detach() ** 2).sum()), rtol=1e-6)
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.5))
    x, y = rng.random((16, 3)).astype("float32"), rng.random((16, 1)).astype("float32")
    mse = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    penalty = 0.1 * float((linear.w.detach() ** 2).sum())
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), mse + penalty, rtol=1e-5)  # the loss counts it
    with torch.no_grad():
        linear.w.fill_(-1.0)  # the constraint puts it back to >= 0 after the first step
    model.fit(rng.random((32, 3)), rng.random((32, 1)), epochs=1, verbose=0)
    assert float(linear.w.detach().min()) >= 0
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", custom_objects={"Linear": Linear})
    x = rng.random((5, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_positional_keras_3_form_and_non_trainable_weights():
    counter = Counter()
    counter.build_for((None, 6))
    assert tuple(counter.total.shape) == (6,) and counter.trainable_weights == []
    assert torch.equal(counter.total, torch.ones(6))
    with pytest.raises(ValueError, match="add_weight: unknown argument\\(s\\) colour"):
        counter.add_weight("x", (2,), "zeros", colour="red")


def test_output_shapes_of_a_layer_that_does_not_say(rng):
    assert Pairs().build_for((None, None, 3)) == (None, None, 6)  # unknown steps stay unknown
    model = keras.Sequential([layers.Input((None, 3)), Pairs(), layers.LSTM(5)])
    assert model.output_shape == (None, 5)
    fixed = keras.Sequential([layers.Input((8, 3)), Pairs()])
    assert fixed.output_shape == (None, 4, 6)
    inputs = layers.Input((8, 3))
    functional = keras.Model(inputs, layers.Flatten()(Pairs()(inputs)))
    assert functional.output_shape == (None, 24)
    assert functional.predict(rng.random((2, 8, 3)), verbose=0).shape == (2, 24)
