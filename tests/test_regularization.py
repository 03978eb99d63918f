"""Weight regularizers (penalties added to the loss, as Keras does), SpatialDropout2D and GaussianNoise."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cnnkit as keras
from cnnkit import layers, regularizers


def test_penalties_are_added_to_the_loss_and_follow_plain_torch(rng):
    model = keras.Sequential(
        [
            layers.Input(shape=(5,)),
            layers.Dense(4, activation="relu", kernel_regularizer=regularizers.l2(0.1)),
            layers.Dense(2, kernel_regularizer="l1", bias_regularizer=regularizers.l1_l2(0.01, 0.02)),
        ]
    )
    (k1, b1), (k2, b2) = model.layers[0].get_weights(), model.layers[1].get_weights()
    x = rng.standard_normal((8, 5)).astype(np.float32)
    y = rng.standard_normal((8, 2)).astype(np.float32)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")

    w1, c1, w2, c2 = (torch.tensor(a, requires_grad=True) for a in (k1, b1, k2, b2))
    prediction = F.relu(torch.from_numpy(x) @ w1 + c1) @ w2 + c2
    penalty = 0.1 * w1.square().sum() + 0.01 * w2.abs().sum() + 0.01 * c2.abs().sum() + 0.02 * c2.square().sum()
    total = F.mse_loss(prediction, torch.from_numpy(y)) + penalty
    assert model.evaluate(x, y, verbose=0) == pytest.approx(total.item(), rel=1e-5)
    assert len(model.losses) == 3 and torch.stack(model.losses).sum().item() == pytest.approx(penalty.item(), rel=1e-5)

    total.backward()
    model.train_on_batch(x, y)
    for got, start, grad in zip(model.get_weights(), (k1, b1, k2, b2), (w1, c1, w2, c2)):
        np.testing.assert_allclose(got, start - 0.1 * grad.grad.numpy(), atol=1e-6)


def test_regularizer_arguments():
    assert regularizers.get("l2").l2 == 0.01 and regularizers.get(None) is None
    assert regularizers.L1L2(l1=0.5).get_config() == {"l1": 0.5, "l2": 0.0}
    with pytest.raises(ValueError, match="l2 must be a number >= 0"):
        regularizers.l2(-1)
    with pytest.raises(ValueError, match="Unknown regularizer 'l3'"):
        layers.Dense(2, kernel_regularizer="l3")


def test_regularized_models_save_and_load(tmp_path):
    model = keras.Sequential([layers.Input(shape=(3,)), layers.Dense(2, kernel_regularizer=regularizers.l2(0.3))])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].kernel_regularizer.l2 == 0.3


def test_spatial_dropout_drops_whole_channels_only_in_training():
    layer = layers.SpatialDropout2D(0.5)
    x = torch.ones(4, 16, 3, 3)
    layer.train()
    y = layer(x)
    per_channel = y.reshape(4, 16, 9)
    assert torch.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))  # a channel is all 0 or all 2
    assert 0 < (per_channel[..., 0] == 0).float().mean() < 1
    layer.eval()
    assert torch.equal(layer(x), x)


def test_gaussian_noise_only_in_training():
    layer = layers.GaussianNoise(0.5)
    x = torch.zeros(2000, 10)
    layer.train()
    noisy = layer(x)
    assert abs(noisy.std().item() - 0.5) < 0.02 and abs(noisy.mean().item()) < 0.02
    layer.eval()
    assert torch.equal(layer(x), x)


def test_gaussian_dropout_and_alpha_dropout():
    torch.manual_seed(0)
    x = torch.ones(200_000)
    gaussian = layers.GaussianDropout(0.2)
    gaussian.train()
    noise = gaussian(x)
    assert abs(float(noise.mean()) - 1) < 0.01 and abs(float(noise.std()) - (0.2 / 0.8) ** 0.5) < 0.01
    gaussian.eval()
    assert torch.equal(gaussian(x), x)

    rate, alpha_p = 0.3, -1.6732632423543772 * 1.0507009873554805  # Keras's formula, written out
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    inputs = torch.randn(200_000)
    alpha = layers.AlphaDropout(rate)
    alpha.train()
    out = alpha(inputs)
    dropped = torch.isclose(out, torch.tensor(a * alpha_p + b))
    assert abs(float(dropped.float().mean()) - rate) < 0.01
    torch.testing.assert_close(out[~dropped], a * inputs[~dropped] + b)
    assert abs(float(out.mean())) < 0.01 and abs(float(out.std()) - 1) < 0.01  # SELU's fixed point kept
    with pytest.raises(ValueError, match="AlphaDropout '.*': rate must be a number in \\[0, 1\\)"):
        layers.AlphaDropout(1.0)
