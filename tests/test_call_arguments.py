"""Calling layers and models as Keras users do: `training=` to force a mode for one call, and
NumPy arrays (channels-last) straight into a layer."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cnnkit as keras
from cnnkit import layers


def frozen_base_model():
    """Keras's transfer-learning recipe: the base runs in inference mode inside the new model."""
    base = keras.Sequential(
        [layers.Input(shape=(6, 6, 3)), layers.Conv2D(4, 3), layers.BatchNormalization(), layers.Dropout(0.5)],
        name="base",
    )
    inputs = layers.Input(shape=(6, 6, 3))
    features = base(inputs, training=False)
    outputs = layers.Dense(2, activation="softmax")(layers.GlobalAveragePooling2D()(features))
    return base, keras.Model(inputs, outputs)


def test_training_false_keeps_a_base_in_inference_mode_while_the_head_trains(rng, tmp_path):
    keras.utils.set_random_seed(0)
    base, model = frozen_base_model()
    batch_norm = base.layers[1]
    x = rng.random((32, 6, 6, 3)).astype(np.float32)
    y = rng.integers(0, 2, 32)
    model.compile("adam", "sparse_categorical_crossentropy")
    moving_before = [w.copy() for w in batch_norm.get_weights()[2:]]
    gamma_before = batch_norm.get_weights()[0].copy()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    for before, after in zip(moving_before, batch_norm.get_weights()[2:]):
        np.testing.assert_array_equal(before, after)  # never updated: the batch statistics were not used
    assert not np.array_equal(gamma_before, batch_norm.get_weights()[0])  # still trainable, as in Keras
    assert base.training and batch_norm.training  # each layer's own mode is back after the call

    # In training mode the model computes the base as plain torch does in eval mode: no dropout,
    # normalization by the moving statistics.
    model.train()
    conv, dense = base.layers[0], model.layers[-1]
    images = torch.from_numpy(x[:4]).permute(0, 3, 1, 2)
    mean, variance = (torch.from_numpy(w) for w in batch_norm.get_weights()[2:])
    gamma, beta = (torch.from_numpy(w) for w in batch_norm.get_weights()[:2])
    kernel, bias = (torch.from_numpy(w) for w in conv.get_weights())
    dense_kernel, dense_bias = (torch.from_numpy(w) for w in dense.get_weights())
    convolved = F.conv2d(images, kernel.permute(3, 2, 0, 1), bias)
    features = F.batch_norm(convolved, mean, variance, gamma, beta, False, 0.0, 1e-3)
    expected = torch.softmax(features.mean((2, 3)) @ dense_kernel + dense_bias, 1)
    images = images.to(model.device)  # a tensor is called where the model is, as torch modules are
    torch.testing.assert_close(model(images).cpu(), expected, atol=1e-5, rtol=1e-5)

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_config()["calls"][0]["training"] is False
    loaded.train()
    torch.testing.assert_close(loaded(images).cpu(), expected, atol=1e-5, rtol=1e-5)


def test_training_argument_on_eager_calls():
    dropout = layers.Dropout(0.5)
    ones = torch.ones(4000)
    dropout.eval()
    dropped = dropout(ones, training=True)
    assert 0.4 < float((dropped == 0).float().mean()) < 0.6
    assert not dropout.training  # the call's mode was for that call only
    dropout.train()
    torch.testing.assert_close(dropout(ones, training=False), ones)
    assert dropout.training
    with pytest.raises(ValueError, match="Dropout 'dropout.*': training must be True, False or None"):
        dropout(ones, training="yes")


def test_layers_take_numpy_arrays_channels_last(rng):
    images = rng.random((2, 5, 6, 3))  # float64, as NumPy makes them: run as float32
    conv = layers.Conv2D(4, 3, padding="same")
    out = conv(images)
    assert out.shape == (2, 5, 6, 4) and out.dtype == torch.float32
    nchw = torch.from_numpy(images).float().permute(0, 3, 1, 2)
    expected = F.conv2d(nchw, conv.kernel, conv.bias, padding=1).permute(0, 2, 3, 1)
    torch.testing.assert_close(out, expected)

    flipped = layers.RandomFlip("horizontal", seed=None)(images.astype(np.float32), training=True)
    assert flipped.shape == images.shape  # an augmentation preview: np.array(flipped[0]) is an image

    tokens = np.array([[1, 2, 0], [3, 3, 3]])
    embedding = layers.Embedding(5, 2)
    np.testing.assert_array_equal(embedding(tokens).detach().numpy(), embedding.get_weights()[0][tokens])

    a, b = rng.random((2, 3)), rng.random((2, 3))
    np.testing.assert_allclose(layers.Add()([a, b]).numpy(), (a + b).astype(np.float32), rtol=1e-6)


def test_models_called_on_numpy_return_what_predict_returns(rng):
    model = keras.Sequential([layers.Input(shape=(5, 6, 3)), layers.Conv2D(2, 3, padding="same")])
    x = rng.random((3, 5, 6, 3)).astype(np.float32)
    np.testing.assert_allclose(model(x).detach().cpu().numpy(), model.predict(x, verbose=0), atol=1e-6)
    with pytest.raises(ValueError, match="expects inputs of shape \\(5, 6, 3\\)"):
        model(x[:, :4])


def test_eager_chains_stay_channels_last_as_in_keras(rng):
    """Keras's transfer-learning tutorials pass one eager call's output to the next layer."""
    images = rng.random((2, 6, 6, 3)).astype(np.float32)
    base = keras.Sequential([layers.Input((6, 6, 3)), layers.Conv2D(5, 3)])
    features = base(images)
    assert features.shape == (2, 4, 4, 5)
    pooled = layers.GlobalAveragePooling2D()(features)
    expected = base.predict(images, verbose=0).mean(axis=(1, 2))
    np.testing.assert_allclose(pooled.detach().cpu().numpy(), expected, rtol=1e-5)
    again = base(layers.Rescaling(1.0)(images))  # a model takes a layer's channels-last output too
    np.testing.assert_allclose(again.detach().cpu().numpy(), features.detach().cpu().numpy(), rtol=1e-6)
    nchw = torch.from_numpy(images).permute(0, 3, 1, 2).to(base.device)
    assert base(nchw).shape == (2, 5, 4, 4)  # a plain tensor is still NCHW, as torch modules take it
