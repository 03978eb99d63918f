"""The rest of Keras's losses and the metrics made from them, against their formulas in NumPy."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers, losses, metrics

EPS = 1e-7


def references():
    def signed(t):
        return 2 * t - 1 if np.isin(t, [0, 1]).all() else t

    return {
        "kld": lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1),
        "poisson": lambda t, p: (p - t * np.log(p + EPS)).mean(-1),
        "msle": lambda t, p: ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1),
        "mape": lambda t, p: 100 * (np.abs(t - p) / np.maximum(np.abs(t), EPS)).mean(-1),
        "hinge": lambda t, p: np.maximum(1 - signed(t) * p, 0).mean(-1),
        "squared_hinge": lambda t, p: (np.maximum(1 - signed(t) * p, 0) ** 2).mean(-1),
        "categorical_hinge": lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0),
        "logcosh": lambda t, p: np.log(np.cosh(p - t)).mean(-1),
        "cosine_similarity": lambda t, p: (
            -((t / np.linalg.norm(t, axis=-1, keepdims=True)) * (p / np.linalg.norm(p, axis=-1, keepdims=True))).sum(-1)
        ),
    }


@pytest.mark.parametrize("name", sorted(references()))
def test_each_loss_matches_its_formula(rng, name):
    y_true = np.eye(4)[rng.integers(0, 4, 16)] if "hinge" in name else rng.random((16, 4)) + 0.05
    y_pred = rng.random((16, 4)) * 2 - (1 if "hinge" in name else 0) + 0.01
    expected = references()[name](y_true, y_pred)
    loss = losses.get(name)
    per_sample = loss.call(torch.tensor(y_true, dtype=torch.float32), torch.tensor(y_pred, dtype=torch.float32))
    np.testing.assert_allclose(per_sample.numpy(), expected, rtol=1e-4, atol=1e-5)
    weights = rng.random(16)
    weighted = loss(torch.tensor(y_true), torch.tensor(y_pred), sample_weight=torch.tensor(weights))
    assert float(weighted) == pytest.approx(float((expected * weights).mean()), rel=1e-4)


def test_hinge_takes_zero_one_labels_as_minus_one_one():
    scores = torch.tensor([[0.3], [-2.0]])
    np.testing.assert_allclose(
        losses.hinge(torch.tensor([[1.0], [0.0]]), scores), losses.hinge(torch.tensor([[1.0], [-1.0]]), scores)
    )


def test_as_compile_arguments_saved_and_as_metrics(rng, tmp_path):
    x = rng.random((32, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [2.0], [0.5]], dtype=np.float32) + 1
    model = keras.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(
        "adam", loss=losses.MeanSquaredLogarithmicError(), metrics=["mape", "rmse", metrics.RootMeanSquaredError("r")]
    )
    model.fit(x, y, epochs=2, verbose=0)
    results = model.evaluate(x, y, verbose=0, return_dict=True)
    predictions = model.predict(x, verbose=0)
    assert results["rmse"] == pytest.approx(float(np.sqrt(((predictions - y) ** 2).mean())), rel=1e-5)
    assert results["r"] == pytest.approx(results["rmse"])
    assert results["mape"] == pytest.approx(float(references()["mape"](y, predictions).mean()), rel=1e-5)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.evaluate(x, y, verbose=0, return_dict=True)["loss"] == pytest.approx(results["loss"], rel=1e-6)
    with pytest.raises(ValueError, match="Unknown loss 'msle2'"):
        losses.get("msle2")
