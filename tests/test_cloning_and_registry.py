"""clone_model, to_json / model_from_json, and custom objects registered once for the program
(`register_keras_serializable`, `get_custom_objects`)."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers
from cnnkit.models import clone_model, load_model, model_from_json


@pytest.fixture(autouse=True)
def empty_registry():
    registry = keras.utils.get_custom_objects()
    saved = dict(registry)
    registry.clear()
    yield registry
    registry.clear()
    registry.update(saved)


def small_cnn():
    return keras.Sequential(
        [
            layers.Input((8, 8, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(3, activation="softmax"),
        ]
    )


def branched():
    inputs = layers.Input((6,))
    a = layers.Dense(4, name="a")(inputs)
    b = layers.Dense(4, name="b")(inputs)
    outputs = layers.Dense(2, name="out")(layers.Add()([a, b]))
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("make", [small_cnn, branched])
def test_a_clone_has_the_architecture_and_new_weights(make, rng):
    model = make()
    clone = clone_model(model)
    assert clone.get_config() == model.get_config()
    assert all(a is not b for a, b in zip(clone.parameters(), model.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(clone.parameters(), model.parameters()))  # fresh initialisation
    clone.set_weights(model.get_weights())
    x = rng.random((5, *model.input_shape[1:])).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_training_a_clone_leaves_the_original(rng):
    model = small_cnn()
    before = [w.copy() for w in model.get_weights()]
    clone = clone_model(model)
    clone.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    clone.fit(rng.random((16, 8, 8, 1)).astype("float32"), rng.integers(0, 3, 16), epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_clone_function_chooses_per_layer():
    model = branched()

    def share_a(layer):
        return layer if layer.name == "a" else layer.__class__.from_config(layer.get_config())

    clone = clone_model(model, clone_function=share_a)
    assert clone.get_layer("a") is model.get_layer("a") and clone.get_layer("b") is not model.get_layer("b")
    rates = clone_model(
        small_cnn(),
        clone_function=lambda layer: (
            layers.Dropout(0.5, name=layer.name)
            if isinstance(layer, layers.Dropout)
            else layer.__class__.from_config(layer.get_config())
        ),
    )
    assert [layer.rate for layer in rates.layers if isinstance(layer, layers.Dropout)] == [0.5]
    with pytest.raises(ValueError, match="returned None for layer 'a'"):
        clone_model(model, clone_function=lambda layer: None)
    with pytest.raises(ValueError, match="input_tensors and call_function are not supported"):
        clone_model(model, input_tensors=[layers.Input((6,))])


def test_json_architecture_and_weights_file_rebuild_the_model(tmp_path, rng):
    model = small_cnn()
    text = model.to_json()
    model.save_weights(tmp_path / "model.weights.h5")
    rebuilt = model_from_json(text)
    rebuilt.load_weights(tmp_path / "model.weights.h5")
    x = rng.random((4, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="not a model's JSON"):
        model_from_json("{not json")
    with pytest.raises(ValueError, match="as model.to_json\\(\\) writes"):
        model_from_json("[1, 2]")


class Gate(layers.Layer):
    """A user's layer: a learned per-feature scale."""

    def build(self, input_shape):
        self.add_weight("scale", (input_shape[-1],), keras.initializers.get("ones"))

    def call(self, x):
        return x * self.scale


def test_registered_objects_load_without_custom_objects(tmp_path, rng, empty_registry):
    keras.utils.register_keras_serializable(package="mine")(Gate)

    def halved_tanh(x):
        return torch.tanh(x) / 2

    keras.utils.get_custom_objects()["halved_tanh"] = halved_tanh
    model = keras.Sequential([layers.Input((3,)), Gate(), layers.Dense(2, activation=halved_tanh)])
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[0], Gate) and "mine>Gate" in empty_registry
    x = rng.random((4, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert isinstance(model_from_json(model.to_json()).layers[0], Gate)
    with pytest.raises(ValueError, match="'mine>Gate' is already registered"):
        keras.saving.register_keras_serializable(package="mine", name="Gate")(Gate.__mro__[1])
    with keras.saving.custom_object_scope({"Gate": layers.Dense}):  # a scope comes before the registry
        with pytest.raises(ValueError, match=r"m.keras': Dense.__init__\(\) missing 1 required positional argument"):
            load_model(tmp_path / "m.keras")


def test_unregistered_layers_still_say_how_to_load_them(tmp_path):
    model = keras.Sequential([layers.Input((3,)), Gate()])
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="unknown layer class 'Gate'.*custom_objects"):
        load_model(tmp_path / "m.keras")
