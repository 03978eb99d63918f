"""Learning-rate schedules, Keras 2's decay=, and gradient clipping, against their formulas."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cnnkit as keras
from cnnkit import layers
from cnnkit.optimizers import schedules


def test_schedules_follow_their_formulas():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(0) == pytest.approx(0.1) and s(20) == pytest.approx(0.025) and s(15) == pytest.approx(0.1 * 0.5**1.5)
    assert schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)(15) == pytest.approx(0.05)

    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(0), s(10), s(11), s(20), s(21)] == [1.0, 1.0, 0.5, 0.5, 0.1]

    s = schedules.InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(30) == pytest.approx(0.1 / (1 + 0.5 * 3))

    s = schedules.PolynomialDecay(0.1, decay_steps=100, end_learning_rate=0.01, power=2.0)
    assert s(50) == pytest.approx(0.09 * 0.25 + 0.01) and s(500) == pytest.approx(0.01)
    cycled = schedules.PolynomialDecay(0.1, decay_steps=100, end_learning_rate=0.01, cycle=True)
    assert cycled(150) == pytest.approx(0.09 * (1 - 150 / 200) + 0.01)

    s = schedules.CosineDecay(0.0, decay_steps=100, alpha=0.1, warmup_target=1.0, warmup_steps=10)
    assert [s(0), s(5), s(10)] == pytest.approx([0.0, 0.5, 1.0])
    assert s(60) == pytest.approx(0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)) + 0.1)
    assert s(110) == pytest.approx(0.1) and s(1000) == pytest.approx(0.1)

    s = schedules.CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    assert s(0) == pytest.approx(1.0) and s(5) == pytest.approx(0.5)
    assert s(10) == pytest.approx(0.5)  # first restart, at half the peak
    assert s(30) == pytest.approx(0.25)  # the second period lasted 20 steps


def tiny_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([layers.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    return model


def plain_torch_run(model, x, y, rates, batch):
    """The same training in plain torch: SGD, one learning rate per step."""
    kernel, bias = (torch.tensor(w) for w in model.get_weights())
    weight = kernel.T.clone().requires_grad_(True)
    bias = bias.clone().requires_grad_(True)
    step = 0
    for start in range(0, len(x), batch):
        xb, yb = torch.from_numpy(x[start : start + batch]), torch.from_numpy(y[start : start + batch])
        loss = F.cross_entropy(F.linear(xb, weight, bias), yb)
        loss.backward()
        with torch.no_grad():
            for p in (weight, bias):
                p -= rates[step] * p.grad
                p.grad = None
        step += 1
    return weight.detach().T.numpy(), bias.detach().numpy()


@pytest.mark.parametrize(
    "make, rate_at",
    [
        (lambda: keras.optimizers.SGD(schedules.ExponentialDecay(0.5, 2, 0.5)), lambda t: 0.5 * 0.5 ** (t / 2)),
        (lambda: keras.optimizers.SGD(0.5, decay=0.3), lambda t: 0.5 / (1 + 0.3 * t)),  # Keras 2's decay=
    ],
)
def test_the_rate_changes_every_batch(make, rate_at, rng):
    x = rng.standard_normal((24, 4)).astype(np.float32)
    y = rng.integers(0, 3, 24)
    model = tiny_model()
    start = model.get_weights()
    optimizer = make()
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    reference = tiny_model()
    reference.set_weights(start)
    expected = plain_torch_run(
        reference, np.concatenate([x, x]), np.concatenate([y, y]), [rate_at(t) for t in range(6)], 8
    )
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert optimizer.iterations == 6
    assert float(optimizer.learning_rate) == pytest.approx(rate_at(6))  # the rate to come
    assert "learning_rate" not in history.history  # as Keras 3: logged only by a rate callback


def test_a_scheduled_rate_cannot_be_set():
    optimizer = keras.optimizers.Adam(schedules.CosineDecay(1e-3, 100))
    with pytest.raises(TypeError, match="follows a schedule"):
        optimizer.learning_rate = 0.1


@pytest.mark.parametrize("clip", ["clipvalue", "clipnorm", "global_clipnorm"])
def test_gradient_clipping(clip, rng):
    x = 10 * rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    model = tiny_model()
    kernel, bias = model.get_weights()
    weight = torch.tensor(kernel.T, requires_grad=True)
    b = torch.tensor(bias, requires_grad=True)
    F.cross_entropy(F.linear(torch.from_numpy(x), weight, b), torch.from_numpy(y)).backward()
    grads = [weight.grad.T.clone(), b.grad.clone()]  # Keras layout, like get_weights
    limit = 0.05
    if clip == "clipvalue":
        expected = [g.clamp(-limit, limit) for g in grads]
    elif clip == "clipnorm":
        expected = [g * min(1.0, limit / (g.norm().item() + 1e-6)) for g in grads]
    else:
        total = math.sqrt(sum(g.norm().item() ** 2 for g in grads))
        expected = [g * min(1.0, limit / (total + 1e-6)) for g in grads]
    model.compile(optimizer=keras.optimizers.SGD(1.0, **{clip: limit}), loss="sparse_categorical_crossentropy")
    model.train_on_batch(x, y)
    for before, after, step in zip((kernel, bias), model.get_weights(), expected):
        np.testing.assert_allclose(before - after, step.numpy(), atol=1e-6)


def test_optimizer_argument_errors():
    with pytest.raises(ValueError, match="clipnorm must be a positive number"):
        keras.optimizers.SGD(clipnorm=0)
    with pytest.raises(ValueError, match="pass clipnorm or global_clipnorm, not both"):
        keras.optimizers.Adam(clipnorm=1.0, global_clipnorm=1.0)
    with pytest.raises(ValueError, match="values must have one more entry than boundaries"):
        schedules.PiecewiseConstantDecay([10], [1.0])
