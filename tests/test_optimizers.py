"""Adadelta, Adamax and Nadam against NumPy versions of Keras 3's own update rules."""

import numpy as np
import pytest
import torch

from cnnkit import optimizers


def keras_adadelta(w, grads, lr, rho=0.95, eps=1e-7):
    accumulated_grad, accumulated_delta = np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        accumulated_grad = rho * accumulated_grad + (1 - rho) * g**2
        delta = -np.sqrt(accumulated_delta + eps) * g / np.sqrt(accumulated_grad + eps)
        accumulated_delta = rho * accumulated_delta + (1 - rho) * delta**2
        w = w + lr * delta
    return w


def keras_adamax(w, grads, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):
    m, u = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, 1):
        m = m + (g - m) * (1 - beta_1)
        u = np.maximum(beta_2 * u, np.abs(g))
        w = w - lr * m / ((1 - beta_1**t) * (u + eps))
    return w


def keras_nadam(w, grads, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):
    m, v, u_product = np.zeros_like(w), np.zeros_like(w), 1.0
    for t, g in enumerate(grads, 1):
        u_t = beta_1 * (1 - 0.5 * 0.96**t)
        u_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product *= u_t
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
        w = w - lr * m_hat / (np.sqrt(v / (1 - beta_2**t)) + eps)
    return w


@pytest.mark.parametrize(
    "optimizer, reference, lr",
    [
        (optimizers.Adadelta, keras_adadelta, 1.0),  # Keras 2's rate, so that the weights move
        (optimizers.Adamax, keras_adamax, 0.01),
        (optimizers.Nadam, keras_nadam, 0.01),
    ],
)
def test_updates_follow_keras(optimizer, reference, lr):
    rng = np.random.default_rng(0)
    start = rng.normal(size=20)
    grads = [rng.normal(size=20) for _ in range(6)]
    weight = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    chosen = optimizer(learning_rate=lr)
    chosen.build([weight])
    for g in grads:
        weight.grad = torch.tensor(g)
        chosen.step()
    expected = reference(start, grads, lr)
    assert not np.allclose(expected, start, atol=1e-3)  # the updates did something
    np.testing.assert_allclose(weight.detach().numpy(), expected, rtol=1e-6, atol=1e-9)


def test_new_optimizers_by_name_with_keras_defaults_and_saved_settings():
    assert isinstance(optimizers.get("adadelta"), optimizers.Adadelta)
    assert isinstance(optimizers.get("Nadam"), optimizers.Nadam)
    delta = optimizers.Adadelta()
    assert (delta.learning_rate, delta.rho, delta.epsilon) == (0.001, 0.95, 1e-7)
    assert optimizers.Adamax().get_config()["beta_2"] == 0.999
    with pytest.raises(TypeError, match="unknown argument\\(s\\) amsgrad"):
        optimizers.Nadam(amsgrad=True)
    adam = optimizers.Adam(0.01, 0.8, 0.99, 1e-6, True)  # Keras's positional order, amsgrad fifth
    assert (adam.beta_1, adam.beta_2, adam.epsilon, adam.amsgrad) == (0.8, 0.99, 1e-6, True)
    config = optimizers.Adagrad(initial_accumulator_value=0.5, epsilon=1e-3).get_config()
    assert (config["initial_accumulator_value"], config["epsilon"]) == (0.5, 1e-3)  # saved with the model
