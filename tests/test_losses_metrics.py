"""Losses and metrics against NumPy formulas; the fused softmax/sigmoid path against the plain one."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import losses, metrics


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.fixture
def batch(rng):
    logits = rng.standard_normal((6, 4)).astype(np.float32) * 3
    labels = rng.integers(0, 4, 6)
    return logits, labels, np.eye(4, dtype=np.float32)[labels]


def test_categorical_crossentropy_forms(batch):
    logits, labels, one_hot = batch
    probs = softmax(logits)
    expected = -np.log(probs[np.arange(6), labels])
    np.testing.assert_allclose(losses.categorical_crossentropy(one_hot, probs).numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(
        losses.categorical_crossentropy(one_hot, logits, from_logits=True).numpy(), expected, rtol=1e-5
    )
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(labels, probs).numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(
        losses.sparse_categorical_crossentropy(labels[:, None], logits, from_logits=True).numpy(), expected, rtol=1e-5
    )
    loss = losses.CategoricalCrossentropy()
    np.testing.assert_allclose(loss(one_hot, probs).item(), expected.mean(), rtol=1e-5)
    np.testing.assert_allclose(
        loss.fast_mean_on_logits(torch.tensor(one_hot), torch.tensor(logits)).item(), expected.mean(), rtol=1e-5
    )
    smoothed = one_hot * 0.9 + 0.1 / 4
    np.testing.assert_allclose(
        losses.categorical_crossentropy(one_hot, probs, label_smoothing=0.1).numpy(),
        -(smoothed * np.log(probs)).sum(1),
        rtol=1e-5,
    )


def test_probabilities_are_clipped_like_keras():
    assert np.isfinite(losses.categorical_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])).numpy()).all()
    np.testing.assert_allclose(
        losses.categorical_crossentropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])).numpy(),
        [-np.log(1e-7)],
        rtol=1e-4,
    )


def test_fused_softmax_is_stable_where_probabilities_underflow():
    model = keras.Sequential([keras.layers.Dense(2, activation="softmax", input_shape=(1,), kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = np.array([[200.0]], dtype=np.float32)  # logits (200, 200): fine; make them far apart via the bias
    model.layers[0].set_weights([np.array([[1.0, -1.0]]), np.zeros(2)])
    loss = model.evaluate(x, np.array([[0.0, 1.0]]), verbose=0)
    np.testing.assert_allclose(loss, 400.0, rtol=1e-5)  # exact: log-softmax of logits (200, -200)


def test_binary_crossentropy_and_regression_losses(rng):
    y = rng.integers(0, 2, (5, 3)).astype(np.float32)
    z = rng.standard_normal((5, 3)).astype(np.float32)
    p = 1 / (1 + np.exp(-z))
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(1)
    np.testing.assert_allclose(losses.binary_crossentropy(y, p).numpy(), expected, rtol=1e-4)
    np.testing.assert_allclose(losses.binary_crossentropy(y, z, from_logits=True).numpy(), expected, rtol=1e-4)
    np.testing.assert_allclose(losses.mean_squared_error(y, z).numpy(), ((y - z) ** 2).mean(1), rtol=1e-5)
    np.testing.assert_allclose(losses.mean_absolute_error(y, z).numpy(), np.abs(y - z).mean(1), rtol=1e-5)
    err = np.abs(y - z)
    huber = np.where(err <= 1, 0.5 * err**2, err - 0.5).mean(1)
    np.testing.assert_allclose(losses.huber(y, z).numpy(), huber, rtol=1e-5)
    weights = np.array([1, 0, 2, 1, 1], dtype=np.float32)
    np.testing.assert_allclose(
        losses.MeanSquaredError()(y, z, sample_weight=weights).item(),
        (((y - z) ** 2).mean(1) * weights).mean(),
        rtol=1e-5,
    )


def test_compile_resolves_names_functions_and_objects():
    for identifier, cls in [
        ("categorical_crossentropy", losses.CategoricalCrossentropy),
        (losses.sparse_categorical_crossentropy, losses.SparseCategoricalCrossentropy),
        ("mse", losses.MeanSquaredError),
        (losses.Huber(delta=2.0), losses.Huber),
    ]:
        assert isinstance(losses.get(identifier), cls)
    custom = losses.get(lambda t, p: (t - p).abs())
    assert isinstance(custom, losses.LossFunctionWrapper)


def test_accuracy_resolution_follows_keras():
    from cnnkit.metrics.lookup import get as resolve

    assert isinstance(resolve("accuracy", "categorical_crossentropy", 2, (None, 10)), metrics.CategoricalAccuracy)
    assert isinstance(
        resolve("acc", "sparse_categorical_crossentropy", 1, (None, 10)), metrics.SparseCategoricalAccuracy
    )
    assert isinstance(resolve("accuracy", "binary_crossentropy", 2, (None, 1)), metrics.BinaryAccuracy)
    assert isinstance(resolve("accuracy", "mse", 1, (None, 10)), metrics.SparseCategoricalAccuracy)
    assert resolve("acc", "categorical_crossentropy", 2, (None, 10)).name == "acc"


def test_metric_values_against_numpy(batch):
    logits, labels, one_hot = batch
    probs = torch.tensor(softmax(logits))
    acc = metrics.CategoricalAccuracy()
    acc.update_state(torch.tensor(one_hot[:3]), probs[:3])
    acc.update_state(torch.tensor(one_hot[3:]), probs[3:])
    np.testing.assert_allclose(acc.result().item(), np.mean(logits.argmax(1) == labels))
    acc.reset_state()
    acc.update_state(torch.tensor(one_hot), probs, sample_weight=torch.tensor([1.0, 0, 0, 0, 0, 0]))
    assert acc.result().item() == float(logits[0].argmax() == labels[0])
    top = metrics.SparseTopKCategoricalAccuracy(k=2)
    top.update_state(torch.tensor(labels), probs)
    top2 = np.argsort(-logits, 1)[:, :2]
    np.testing.assert_allclose(top.result().item(), np.mean([l in t for l, t in zip(labels, top2)]))
    binary = metrics.BinaryAccuracy()
    binary.update_state(torch.tensor([[1.0], [0.0], [1.0]]), torch.tensor([[0.7], [0.2], [0.4]]))
    np.testing.assert_allclose(binary.result().item(), 2 / 3)


def test_optimizers_have_keras_defaults_and_names():
    from cnnkit import optimizers

    assert optimizers.SGD().learning_rate == 0.01
    adam = optimizers.Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    assert optimizers.AdamW().weight_decay == 0.004
    assert (optimizers.RMSprop().rho, optimizers.RMSprop().epsilon) == (0.9, 1e-7)
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert optimizers.Adam(lr=0.01).learning_rate == 0.01
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    with pytest.raises(ValueError, match="Unknown optimizer 'adamm'. Expected one of: adadelta, adagrad, adam, adamax"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
        optimizers.SGD(learning_rate=-1)


def test_weight_decay_is_decoupled_as_in_keras():
    from cnnkit import optimizers

    weight = torch.nn.Parameter(torch.tensor([2.0]))
    sgd = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    sgd.build([weight])
    weight.grad = torch.tensor([1.0])
    sgd.step()
    np.testing.assert_allclose(weight.item(), 2.0 * (1 - 0.1 * 0.5) - 0.1 * 1.0, rtol=1e-6)
    sgd.learning_rate = 0.2
    assert sgd.torch_optimizer.param_groups[0]["lr"] == 0.2
