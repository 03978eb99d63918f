"""Weight constraints: the projections against NumPy, applied after every update in Keras's
layout (so `axis` means Keras's axis for every layer), and saved with the model."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import constraints, layers


def test_each_constraint_matches_its_formula(rng):
    w = rng.standard_normal((3, 3, 4, 5)).astype(np.float32)
    eps = 1e-7
    norms = np.sqrt((w**2).sum(axis=(0, 1, 2), keepdims=True))
    cases = {
        constraints.MaxNorm(1.5, axis=[0, 1, 2]): w * np.clip(norms, 0, 1.5) / (eps + norms),
        constraints.NonNeg(): np.maximum(w, 0),
        constraints.UnitNorm(axis=[0, 1, 2]): w / (eps + norms),
        constraints.MinMaxNorm(2.0, 3.0, rate=0.5, axis=[0, 1, 2]): w
        * (0.5 * np.clip(norms, 2, 3) + 0.5 * norms)
        / (eps + norms),
    }
    for constraint, expected in cases.items():
        np.testing.assert_allclose(constraint(torch.from_numpy(w)).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_a_step_with_max_norm_is_sgd_then_the_projection(rng):
    x, y = rng.random((8, 4)).astype(np.float32) * 5, rng.random((8, 3)).astype(np.float32)
    model = keras.Sequential([layers.Input((4,)), layers.Dense(3, kernel_constraint=constraints.max_norm(0.3))])
    model.compile(keras.optimizers.SGD(0.5), "mse")
    kernel, bias = (torch.tensor(w, requires_grad=True) for w in model.get_weights())
    loss = ((torch.from_numpy(x) @ kernel + bias - torch.from_numpy(y)) ** 2).mean()
    loss.backward()
    stepped = (kernel - 0.5 * kernel.grad).detach().numpy()
    norms = np.sqrt((stepped**2).sum(axis=0, keepdims=True))  # each unit's incoming weights
    expected = stepped * np.clip(norms, 0, 0.3) / (1e-7 + norms)
    model.train_on_batch(x, y)
    np.testing.assert_allclose(model.get_weights()[0], expected, rtol=1e-5, atol=1e-6)
    assert np.sqrt((model.get_weights()[0] ** 2).sum(axis=0)).max() <= 0.3 + 1e-6


def test_constraints_of_every_kind_of_layer_hold_after_fit(rng, tmp_path):
    inputs = layers.Input((6, 6, 2))
    x = layers.Conv2D(4, 3, kernel_constraint=constraints.max_norm(0.2, axis=[0, 1, 2]), name="conv")(inputs)
    x = layers.BatchNormalization(gamma_constraint="non_neg", gamma_regularizer="l2", name="norm")(x)
    x = layers.Reshape((4, 16))(x)
    x = layers.LSTM(5, recurrent_constraint=constraints.unit_norm(axis=0), name="lstm")(x)
    outputs = layers.Dense(2, activation="softmax", bias_constraint="non_neg", name="out")(x)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(1.0), "sparse_categorical_crossentropy")
    assert len(model.losses) == 1  # the gamma regularizer's penalty
    model.fit(rng.random((32, 6, 6, 2)).astype(np.float32) * 4, rng.integers(0, 2, 32), epochs=2, verbose=0)
    kernel = model.get_layer("conv").get_weights()[0]  # Keras's (kh, kw, in, filters)
    assert np.sqrt((kernel**2).sum(axis=(0, 1, 2))).max() <= 0.2 + 1e-6
    assert model.get_layer("norm").get_weights()[0].min() >= 0
    recurrent = model.get_layer("lstm").get_weights()[1]  # Keras's (units, 4 * units)
    np.testing.assert_allclose(np.sqrt((recurrent**2).sum(axis=0)), 1.0, rtol=1e-5)
    assert model.get_layer("out").get_weights()[1].min() >= 0

    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.get_layer("conv").get_config()["kernel_constraint"] == {
        "class_name": "MaxNorm",
        "config": {"max_value": 0.2, "axis": [0, 1, 2]},
    }
    assert len(loaded.constrained_weights()) == 4  # conv kernel, gamma, recurrent kernel, output bias


def test_unknown_constraints_are_named():
    with pytest.raises(ValueError, match="Unknown constraint 'max-norm'"):
        layers.Dense(2, kernel_constraint="max-norm")
    with pytest.raises(ValueError, match="MaxNorm: max_value must be a positive number"):
        constraints.MaxNorm(0)
