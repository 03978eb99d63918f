"""Subclassed models (layers in __init__, the computation in call), against the same network as
a Sequential: the same weights from the same seed, the same training, and saving both ways."""

import numpy as np
import pytest

import cnnkit as keras
from cnnkit import layers


class SmallNet(keras.Model):
    def __init__(self, classes=3, **kwargs):
        super().__init__(**kwargs)
        self.classes = classes
        self.conv = layers.Conv2D(4, 3, activation="relu")
        self.norm = layers.BatchNormalization()
        self.pool = layers.GlobalAveragePooling2D()
        self.drop = layers.Dropout(0.3)
        self.out = layers.Dense(classes, activation="softmax")
        self.modes = []  # the training argument of every call

    def call(self, inputs, training=False):
        self.modes.append(training)
        x = self.pool(self.norm(self.conv(inputs), training=training))
        return self.out(self.drop(x, training=training))

    def get_config(self):
        return {**super().get_config(), "classes": self.classes}


def sequential_twin():
    return keras.Sequential(
        [
            layers.Input((8, 8, 3)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.GlobalAveragePooling2D(),
            layers.Dropout(0.3),
            layers.Dense(3, activation="softmax"),
        ]
    )


@pytest.fixture
def data(rng):
    return rng.random((48, 8, 8, 3)).astype(np.float32), rng.integers(0, 3, 48)


def trained(model, data):
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(*data, batch_size=12, epochs=2, shuffle=False, verbose=0)
    return history.history["loss"], model.predict(data[0], verbose=0)


def test_a_subclassed_model_trains_as_the_same_sequential_does(data):
    keras.utils.set_random_seed(0)
    subclassed = SmallNet()
    subclassed.build((None, 8, 8, 3))  # builds its layers in call order, as the Sequential does
    keras.utils.set_random_seed(0)
    twin = sequential_twin()
    for a, b in zip(subclassed.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)
    keras.utils.set_random_seed(1)
    loss, predictions = trained(subclassed, data)
    keras.utils.set_random_seed(1)
    twin_loss, twin_predictions = trained(twin, data)
    np.testing.assert_allclose(loss, twin_loss, rtol=1e-6)
    np.testing.assert_allclose(predictions, twin_predictions, rtol=1e-5, atol=1e-6)
    assert True in subclassed.modes and subclassed.modes[-1] is False  # fit trains, predict does not
    assert subclassed.output_shape == (None, 3) and len(subclassed.layers) == 5


def test_saving_and_weights_files(data, tmp_path):
    model = SmallNet()
    trained(model, data)
    expected = model.predict(data[0], verbose=0)
    model.save(tmp_path / "net.keras")
    loaded = keras.models.load_model(tmp_path / "net.keras", custom_objects={"SmallNet": SmallNet})
    np.testing.assert_array_equal(loaded.predict(data[0], verbose=0), expected)
    model.save_weights(tmp_path / "net.weights.h5")
    again = SmallNet()
    again.build((None, 8, 8, 3))
    again.load_weights(tmp_path / "net.weights.h5")
    np.testing.assert_array_equal(again.predict(data[0], verbose=0), expected)
    assert again(data[0][:2]).shape == (2, 3)  # called on NumPy, as in Keras


class NoConfig(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def test_what_cannot_be_known_or_rebuilt_is_said_in_one_line(tmp_path):
    model = NoConfig()
    with pytest.raises(ValueError, match="NoConfig '.*' has not been built yet, so its summary is unknown"):
        model.summary()
    model.build((None, 4))
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="cannot rebuild NoConfig from its saved config .* give it a get_config"):
        keras.models.load_model(tmp_path / "m.keras", custom_objects={"NoConfig": NoConfig})
    with pytest.raises(ValueError, match="built for a fully known input shape"):
        NoConfig().build((None, None))
