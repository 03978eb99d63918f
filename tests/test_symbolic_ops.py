"""Operations on a functional graph's symbolic tensors, as Keras programs write them: Python
arithmetic and indexing, keras.ops, Keras 2's K functions and loss functions on KerasTensors record
graph nodes; a functional model's add_loss(tensor) trains on them (the variational autoencoder
examples). Numbers are checked against NumPy."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import backend as K
from cnnkit import layers, ops


def test_arithmetic_and_indexing_build_a_graph(rng):
    a, b = keras.Input((4,)), keras.Input((4,))
    total = a + b * 0.5
    total += 1.0  # Keras's `x += y` on a symbolic tensor
    first_two = -total[:, :2]
    ratio = 2.0 / (a + 3.0)
    model = keras.Model([a, b], [total, first_two, ratio])
    assert model.output_shape == [(None, 4), (None, 2), (None, 4)]
    x, y = rng.random((3, 4)), rng.random((3, 4))
    got = model.predict([x, y], verbose=0)
    np.testing.assert_allclose(got[0], x + y * 0.5 + 1.0, rtol=1e-6)
    np.testing.assert_allclose(got[1], -(x + y * 0.5 + 1.0)[:, :2], rtol=1e-6)
    np.testing.assert_allclose(got[2], 2.0 / (x + 3.0), rtol=1e-6)
    assert a in [b, a]  # == stays identity, so tensors can be found in lists


def test_ops_and_backend_functions_on_symbolic_tensors(rng):
    inputs = keras.Input((5,))
    squared_mean = ops.mean(ops.square(inputs), axis=-1, keepdims=True)
    k_norm = K.sqrt(K.sum(K.square(inputs), axis=1, keepdims=True))
    joined = ops.concatenate([inputs, squared_mean], axis=-1)
    model = keras.Model(inputs, [squared_mean, k_norm, joined])
    assert [tuple(s) for s in model.output_shape] == [(None, 1), (None, 1), (None, 6)]
    x = rng.random((4, 5))
    mean_sq, norm, both = model.predict(x, verbose=0)
    np.testing.assert_allclose(mean_sq, (x**2).mean(axis=-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(norm, np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(both[:, :5], x, rtol=1e-6)


def test_images_are_channels_last_in_symbolic_operations(rng):
    image = keras.Input((6, 6, 3))
    features = layers.Conv2D(4, 3, padding="same")(image)
    red = image[..., 0]  # the last axis is the channels, as at the API
    model = keras.Model(image, [features * 2.0, red])
    assert model.output_shape == [(None, 6, 6, 4), (None, 6, 6)]
    x = rng.random((2, 6, 6, 3))
    doubled, got_red = model.predict(x, verbose=0)
    np.testing.assert_allclose(got_red, x[..., 0], rtol=1e-6)
    conv = keras.Model(image, features).predict(x, verbose=0)
    np.testing.assert_allclose(doubled, conv * 2.0, rtol=1e-5)


def test_add_loss_trains_a_variational_autoencoder_without_labels(rng):
    inputs = keras.Input((6,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    z_mean, z_log_var = layers.Dense(2)(hidden), layers.Dense(2)(hidden)
    decoded = layers.Dense(6, activation="sigmoid")(z_mean)
    vae = keras.Model(inputs, decoded)
    reconstruction = keras.losses.binary_crossentropy(inputs, decoded) * 6
    kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
    vae.add_loss(K.mean(reconstruction + kl))
    vae.compile(optimizer="adam")
    x = rng.random((32, 6)).astype("float32")

    # The logged loss is the added loss, computed by NumPy from the model's own pieces.
    parts = keras.Model(inputs, [decoded, z_mean, z_log_var]).predict(x, verbose=0)
    out, mean, log_var = (p.astype(np.float64) for p in parts)
    clipped = np.clip(out, 1e-7, 1 - 1e-7)
    bce = -(x * np.log(clipped) + (1 - x) * np.log(1 - clipped)).mean(axis=-1) * 6
    kl_np = -0.5 * (1 + log_var - mean**2 - np.exp(log_var)).sum(axis=-1)
    assert vae.evaluate(x, verbose=0) == pytest.approx((bce + kl_np).mean(), rel=1e-4)

    history = vae.fit(x, epochs=3, batch_size=8, verbose=0, validation_data=(x, None))
    assert set(history.history) == {"loss", "val_loss"}
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_a_loss_over_a_nested_models_inner_tensors_saves_its_weights_once(rng, tmp_path):
    inputs = keras.Input((4,))
    code = layers.Dense(2, name="code")(inputs)
    encoder = keras.Model(inputs, code)
    model = keras.Model(inputs, layers.Dense(4)(encoder(inputs)))
    model.add_loss(K.mean(K.square(code)))  # reads the encoder's own graph, as the VAE examples do
    model.compile(optimizer="adam", loss="mse")
    model.fit(rng.random((8, 4)), rng.random((8, 4)), epochs=1, verbose=0)
    model.save_weights(tmp_path / "model.weights.h5")
    before = [w.copy() for w in model.get_weights()]
    for layer in model.layers:
        for weight in layer.weights:
            torch.nn.init.zeros_(weight)
    model.load_weights(tmp_path / "model.weights.h5")
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_a_symbolic_operation_cannot_go_into_a_model_file(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(2)(inputs) * 2.0)
    with pytest.raises(ValueError, match="cannot be written into a model file; save_weights works"):
        model.save(tmp_path / "model.keras")


def test_add_loss_inside_a_layers_call(rng):
    class Penalised(layers.Layer):
        def call(self, x):
            self.add_loss(0.5 * ops.sum(x**2) / x.shape[0])
            return x

    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(1, use_bias=False)(Penalised()(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.random((4, 3)).astype("float32"), rng.random((4, 1)).astype("float32")
    kernel = model.get_weights()[0]
    mse = ((x @ kernel - y) ** 2).mean()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(mse + 0.5 * (x**2).sum() / 4, rel=1e-5)


def test_add_metric_logs_a_graph_tensors_mean(rng):
    inputs = keras.Input((4,))
    hidden = layers.Dense(3, activation="relu")(inputs)
    model = keras.Model(inputs, layers.Dense(1)(hidden))
    model.add_metric(K.mean(hidden), name="hidden_mean")
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = rng.random((16, 4)).astype("float32"), rng.random((16, 1)).astype("float32")
    expected = keras.Model(inputs, hidden).predict(x, verbose=0).mean()
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    assert logs["hidden_mean"] == pytest.approx(expected, rel=1e-5)
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y))
    assert list(history.history) == ["loss", "mae", "hidden_mean", "val_loss", "val_mae", "val_hidden_mean"]
    assert model.metrics_names == ["loss", "mae", "hidden_mean"]
    before = float(model.metrics[-1].result())
    model.predict(x[:3], verbose=0)  # outside fit and evaluate the metric does not count
    assert float(model.metrics[-1].result()) == before


def test_an_operation_on_mismatched_symbolic_tensors_is_one_clear_error():
    with pytest.raises(ValueError, match=r"add cannot take inputs of shapes \(None, 3\), \(None, 4\)"):
        keras.Input((3,)) + keras.Input((4,))
