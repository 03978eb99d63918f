"""Precision, Recall and AUC against scikit-learn and Keras's documented values, on their own
and through compile/fit/evaluate."""

import numpy as np
import pytest
import torch
from sklearn.metrics import precision_score, recall_score, roc_auc_score

import cnnkit as keras
from cnnkit import layers
from cnnkit.metrics import AUC, Precision, Recall


def value(metric, y_true, y_pred, sample_weight=None):
    metric.update_state(torch.tensor(y_true, dtype=torch.float32), torch.tensor(y_pred), sample_weight)
    return float(metric.result())


def test_keras_documented_values():
    assert value(Precision(), [0, 1, 1, 1], [1.0, 0, 1, 1]) == pytest.approx(2 / 3)
    assert value(Recall(), [0, 1, 1, 1], [1.0, 0, 1, 1]) == pytest.approx(2 / 3)
    assert value(AUC(num_thresholds=3), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9]) == pytest.approx(0.75)
    weighted = value(AUC(num_thresholds=3), [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], torch.tensor([1.0, 0, 0, 1]))
    assert weighted == pytest.approx(1.0)


def test_against_scikit_learn_in_batches(rng):
    y_true = rng.integers(0, 2, 500)
    # Predictions between the thresholds of a 1001-point grid: every operating point is on the
    # curve, so the trapezoids give the exact ROC AUC.
    y_pred = (np.floor(rng.random(500) * 1000) + 0.5) / 1000
    weights = rng.random(500)
    metrics = {"p": Precision(), "r": Recall(), "auc": AUC(num_thresholds=1001)}
    for start in range(0, 500, 128):  # accumulated over batches
        part = slice(start, start + 128)
        for metric in metrics.values():
            metric.update_state(torch.tensor(y_true[part]), torch.tensor(y_pred[part]), torch.tensor(weights[part]))
    hard = y_pred > 0.5
    assert float(metrics["p"].result()) == pytest.approx(precision_score(y_true, hard, sample_weight=weights))
    assert float(metrics["r"].result()) == pytest.approx(recall_score(y_true, hard, sample_weight=weights))
    assert float(metrics["auc"].result()) == pytest.approx(roc_auc_score(y_true, y_pred, sample_weight=weights))


def test_one_hot_classes_are_flattened_unless_a_class_is_picked(rng):
    labels = rng.integers(0, 3, 200)
    y_true = np.eye(3, dtype=np.float32)[labels]
    y_pred = rng.random((200, 3)).astype(np.float32)
    flat = value(Precision(), y_true, y_pred)
    assert flat == pytest.approx(precision_score(y_true.ravel(), y_pred.ravel() > 0.5))
    second = value(Recall(class_id=1), y_true, y_pred)
    assert second == pytest.approx(recall_score(labels == 1, y_pred[:, 1] > 0.5))
    top = value(Precision(top_k=1), y_true, y_pred)  # only each row's largest may be positive
    assert top == pytest.approx(precision_score(labels, y_pred.argmax(1), average="micro", labels=[0, 1, 2]))


def test_in_compile_fit_and_evaluate(rng, tmp_path):
    x = rng.random((64, 4)).astype(np.float32)
    y = (x.sum(axis=1) > 2).astype(np.float32)
    model = keras.Sequential([layers.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy", "AUC", Precision(name="p"), "recall"])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert {"AUC", "p", "recall"} <= set(history.history)
    results = model.evaluate(x, y, verbose=0, return_dict=True)
    probabilities = model.predict(x, verbose=0)[:, 0]
    expected = AUC()
    expected.update_state(torch.tensor(y), torch.tensor(probabilities))
    assert results["AUC"] == pytest.approx(float(expected.result()), abs=1e-6)
    assert results["recall"] == pytest.approx(recall_score(y, probabilities > 0.5))

    model.compile("adam", "binary_crossentropy", metrics=[AUC(num_thresholds=50, curve="PR"), Precision(0.3)])
    model.save(tmp_path / "m.keras")  # the metrics' settings are saved with the model
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == model.evaluate(x, y, verbose=0, return_dict=True)
    pr_auc = loaded.training_setup.metric_ids[0]
    assert (pr_auc.num_thresholds, pr_auc.curve, loaded.training_setup.metric_ids[1].given) == (50, "PR", 0.3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Precision: thresholds must be one number in \\[0, 1\\]"):
        Precision(thresholds=[0.3, 0.7])
    with pytest.raises(ValueError, match="AUC: curve must be 'ROC' or 'PR'"):
        AUC(curve="PRGAIN")
    with pytest.raises(ValueError, match="multi_label, num_labels and label_weights are not supported"):
        AUC(multi_label=True)
    with pytest.raises(ValueError, match="Recall: class_id must be an int >= 0"):
        Recall(class_id=-1)
    with pytest.raises(ValueError, match="Precision 'precision': labels of shape \\(3, 1\\) do not match predictions"):
        Precision().update_state(torch.tensor([0, 1, 2]), torch.rand(3, 3))  # sparse labels, 3 classes
