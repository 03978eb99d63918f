"""F1Score, FBetaScore and the four confusion counts, against scikit-learn and NumPy; and metrics
with one value per class flowing through fit's logs, progress bar, History and CSVLogger."""

import csv

import numpy as np
import pytest
from sklearn.metrics import f1_score, fbeta_score

import cnnkit
from cnnkit import callbacks, layers, metrics


@pytest.fixture
def scores(rng):
    probabilities = rng.random((300, 4)).astype("float32")
    labels = rng.integers(0, 4, 300)
    return probabilities, labels, np.eye(4, dtype="float32")[labels]


def run(metric, y_true, y_pred, sample_weight=None, pieces=3):
    """Update in several batches, as fit does, then read the result."""
    for part in np.array_split(np.arange(len(y_pred)), pieces):
        weight = None if sample_weight is None else sample_weight[part]
        metric.update_state(y_true[part], y_pred[part], weight)
    return metric.result().numpy()


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_of_the_top_class_matches_scikit_learn(scores, average):
    probabilities, labels, one_hot = scores
    expected = f1_score(labels, probabilities.argmax(1), average=average)
    np.testing.assert_allclose(run(metrics.F1Score(average=average), one_hot, probabilities), expected, atol=1e-5)


@pytest.mark.parametrize("beta", [0.5, 2.0])
def test_fbeta_with_weights_matches_scikit_learn(scores, rng, beta):
    probabilities, labels, one_hot = scores
    weight = rng.random(300)
    expected = fbeta_score(labels, probabilities.argmax(1), beta=beta, average="macro", sample_weight=weight)
    got = run(metrics.FBetaScore(average="macro", beta=beta), one_hot, probabilities, weight)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_a_threshold_scores_every_label_on_its_own(rng):
    y_true = rng.integers(0, 2, (200, 3))
    y_pred = rng.random((200, 3)).astype("float32")
    expected = f1_score(y_true, (y_pred > 0.3).astype(int), average=None)
    np.testing.assert_allclose(run(metrics.F1Score(threshold=0.3), y_true, y_pred), expected, atol=1e-5)


def test_integer_labels_are_taken_for_a_softmax(scores):
    probabilities, labels, one_hot = scores
    sparse = run(metrics.F1Score(average="macro"), labels, probabilities)
    np.testing.assert_allclose(sparse, run(metrics.F1Score(average="macro"), one_hot, probabilities))


def test_bad_arguments_and_labels_say_what_was_expected(scores):
    probabilities, labels, _ = scores
    with pytest.raises(ValueError, match="average must be"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="beta must be a number > 0"):
        metrics.FBetaScore(beta=0)
    with pytest.raises(ValueError, match=r"threshold must be None or a number in \(0, 1\]"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match="class labels must lie in 0..3"):
        metrics.F1Score().update_state(labels + 4, probabilities)
    with pytest.raises(ValueError, match=r"labels of shape \(300, 2\) do not fit"):
        metrics.F1Score().update_state(np.zeros((300, 2)), probabilities)


def test_the_four_counts_match_numpy(rng):
    y_true = rng.integers(0, 2, (100, 1))
    y_pred = rng.random((100, 1)).astype("float32")
    weight = rng.random(100)
    above, positive = y_pred[:, 0] > 0.4, y_true[:, 0] == 1
    expected = {
        metrics.TruePositives: (above & positive),
        metrics.FalsePositives: (above & ~positive),
        metrics.TrueNegatives: (~above & ~positive),
        metrics.FalseNegatives: (~above & positive),
    }
    for kind, hits in expected.items():
        np.testing.assert_allclose(run(kind(thresholds=0.4), y_true, y_pred, weight), (hits * weight).sum(), rtol=1e-6)
    assert metrics.TruePositives().name == "true_positives"


def test_per_class_scores_flow_through_fit(tmp_path, rng, capsys):
    x = rng.normal(size=(96, 6)).astype("float32")
    y = (x[:, :3].argmax(1)).astype("int64")
    model = cnnkit.Sequential([layers.Input((6,)), layers.Dense(3, activation="softmax")])
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer="adam",
        metrics=[metrics.F1Score(), metrics.F1Score(average="macro", name="macro_f1")],
    )
    log = tmp_path / "log.csv"
    stop = callbacks.EarlyStopping(monitor="val_macro_f1", patience=5)
    history = model.fit(
        x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=2, callbacks=[callbacks.CSVLogger(log), stop]
    )
    assert stop.watch.mode == "max"
    per_class = history.history["val_f1_score"][-1]
    assert isinstance(per_class, list) and len(per_class) == 3
    np.testing.assert_allclose(np.mean(per_class), history.history["val_macro_f1"][-1], atol=1e-6)
    assert " - f1_score: [" in capsys.readouterr().out
    rows = list(csv.DictReader(log.open()))
    assert rows[-1]["f1_score"].startswith("[") and len(rows[-1]["f1_score"].split(",")) == 3
    with pytest.raises(ValueError, match="one value per class"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping(monitor="f1_score")])


def test_f_scores_survive_saving(tmp_path, rng):
    model = cnnkit.Sequential([layers.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", metrics=[metrics.FBetaScore(average="weighted", beta=0.5)])
    model.save(tmp_path / "m.keras")
    loaded = cnnkit.models.load_model(tmp_path / "m.keras")
    x, y = rng.normal(size=(20, 4)).astype("float32"), np.eye(3)[rng.integers(0, 3, 20)]
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0), rtol=1e-6)
    assert loaded.metrics_names[-1] == "fbeta_score"
