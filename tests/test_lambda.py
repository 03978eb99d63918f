"""Lambda: functions see channels-last tensors as in Keras; saving names them, never pickles them."""

import numpy as np
import pytest

import cnnkit as keras
from cnnkit import layers


def first_channel(x):
    return x[..., :1]  # channels-last indexing, as a Keras user writes it


def scaled(x, factor):
    return x * factor


def test_functions_see_channels_last_images_and_shapes_are_found(rng):
    x = rng.random((4, 6, 5, 3)).astype(np.float32)
    model = keras.Sequential([layers.Input(shape=(6, 5, 3)), layers.Lambda(first_channel)])
    assert model.output_shape == (None, 6, 5, 1)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x[..., :1])
    sums = layers.Lambda(lambda t: t.sum(dim=(1, 2)))  # (batch, channels), from the channels-last view
    model = keras.Sequential([layers.Input(shape=(6, 5, 3)), sums])
    assert model.output_shape == (None, 3)
    np.testing.assert_allclose(model.predict(x, verbose=0), x.sum(axis=(1, 2)), rtol=1e-6)


def test_arguments_declared_shapes_and_several_inputs(rng):
    a, b = rng.random((3, 4)).astype(np.float32), rng.random((3, 4)).astype(np.float32)
    left, right = layers.Input(shape=(4,)), layers.Input(shape=(4,))
    difference = layers.Lambda(lambda pair: pair[0] - pair[1])([left, right])
    doubled = layers.Lambda(scaled, arguments={"factor": 2.0}, output_shape=(4,))(difference)
    model = keras.Model([left, right], doubled)
    np.testing.assert_allclose(model.predict([a, b], verbose=0), 2 * (a - b), rtol=1e-6)
    shaped = layers.Lambda(first_channel, output_shape=lambda shape: (*shape[:-1], 1))
    assert shaped.compute_output_shape((None, 7, 7, 3)) == (None, 7, 7, 1)
    with pytest.raises(ValueError, match="Lambda 'lambda_.*': cannot work out the output shape .* pass output_shape"):
        layers.Lambda(first_channel).compute_output_shape((None, None, 3))


def test_a_model_with_a_lambda_trains_and_round_trips_by_name(rng, tmp_path):
    x, y = rng.random((32, 6, 6, 2)).astype(np.float32), rng.integers(0, 2, 32)
    model = keras.Sequential(
        [layers.Input(shape=(6, 6, 2)), layers.Lambda(scaled, arguments={"factor": 0.5}), layers.Conv2D(3, 3)]
        + [layers.Lambda(first_channel), layers.Flatten(), layers.Dense(2, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = model.get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # gradients got through
    path = tmp_path / "model.keras"
    model.save(path)
    with pytest.raises(ValueError, match="calls the function 'scaled'; pass custom_objects=\\{'scaled': scaled\\}"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"scaled": scaled, "first_channel": first_channel})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_a_lambda_cannot_be_saved_and_nothing_is_written(tmp_path):
    model = keras.Sequential([layers.Input(shape=(3,)), layers.Lambda(lambda t: t * 2), layers.Dense(1)])
    with pytest.raises(ValueError, match="a lambda cannot be saved .* define the function with `def`"):
        model.save(tmp_path / "model.keras")
    assert not list(tmp_path.iterdir())
    assert "Lambda" in repr(model)  # printing and exporting need no saved function
    model.export(tmp_path / "model.onnx")
    with_array = keras.Sequential(
        [layers.Input(shape=(3,)), layers.Lambda(scaled, arguments={"factor": np.ones(3)}), layers.Dense(1)]
    )
    with pytest.raises(ValueError, match="its arguments \\['factor'\\] cannot be saved as data"):
        with_array.save(tmp_path / "model.keras")
    assert not (tmp_path / "model.keras").exists()
    with pytest.raises(ValueError, match="function must be callable"):
        layers.Lambda("x * 2")
