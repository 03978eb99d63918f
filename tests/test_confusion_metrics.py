"""Precision, Recall and AUC against scikit-learn and Keras's documented values, on their own
and through compile/fit/evaluate."""

import numpy as np
import pytest
import torch
from sklearn.metrics import precision_score, recall_score, roc_auc_score

import cnnkit as keras
from cnnkit import layers
from cnnkit.metrics import AUC, Precision, Recall, TruePositives


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
    with pytest.raises(ValueError, match="Precision: thresholds must be a number in \\[0, 1\\] or a list of them"):
        Precision(thresholds=[0.3, 1.7])
    with pytest.raises(ValueError, match="AUC: curve must be 'ROC' or 'PR'"):
        AUC(curve="PRGAIN")
    with pytest.raises(ValueError, match="num_labels and label_weights go with multi_label=True"):
        AUC(label_weights=[1, 2])
    with pytest.raises(ValueError, match="Recall: class_id must be an int >= 0"):
        Recall(class_id=-1)
    with pytest.raises(ValueError, match="Precision 'precision': labels of shape \\(3, 1\\) do not match predictions"):
        Precision().update_state(torch.tensor([0, 1, 2]), torch.rand(3, 3))  # sparse labels, 3 classes


def test_several_thresholds_give_one_result_each(rng):
    y_true = rng.integers(0, 2, 300)
    y_pred = rng.random(300).astype("float32")
    thresholds = [0.2, 0.5, 0.8]
    precision, recall, hits = Precision(thresholds), Recall(thresholds), TruePositives(thresholds)
    for metric in (precision, recall, hits):
        metric.update_state(y_true[:, None], y_pred[:, None])
    for i, t in enumerate(thresholds):
        predicted = (y_pred > t).astype(int)
        np.testing.assert_allclose(precision.result()[i], precision_score(y_true, predicted), rtol=1e-6)
        np.testing.assert_allclose(recall.result()[i], recall_score(y_true, predicted), rtol=1e-6)
        assert float(hits.result()[i]) == float(((y_pred > t) & (y_true == 1)).sum())
    assert Precision([0.5]).result().dim() == 0  # a list of one: one number, as Keras


def test_multi_label_auc_averages_or_weighs_each_labels_area(rng):
    y_true = rng.integers(0, 2, (400, 3))
    y_pred = np.clip(y_true * 0.3 + rng.random((400, 3)) * [0.7, 0.9, 1.0], 0, 1).astype("float32")
    per_label = [roc_auc_score(y_true[:, k], y_pred[:, k]) for k in range(3)]
    auc = AUC(multi_label=True, num_thresholds=1000)
    auc.update_state(y_true[:200], y_pred[:200])
    auc.update_state(y_true[200:], y_pred[200:])
    np.testing.assert_allclose(float(auc.result()), np.mean(per_label), atol=2e-3)
    weighted = AUC(multi_label=True, num_thresholds=1000, label_weights=[1, 0, 3])
    weighted.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(weighted.result()), (per_label[0] + 3 * per_label[2]) / 4, atol=2e-3)
    flat = AUC(num_thresholds=1000)
    flat.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(flat.result()), roc_auc_score(y_true.ravel(), y_pred.ravel()), atol=2e-3)
    with pytest.raises(ValueError, match="predictions have 2 labels, earlier ones 3"):
        auc.update_state(y_true[:, :2], y_pred[:, :2])
    assert AUC(multi_label=True, num_labels=3).true_positives.shape == (200, 3)
