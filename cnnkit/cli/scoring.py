"""A trained model on a data set's test images: predictions, confusion matrix, per-class scores.

`cnnkit evaluate`, the run's metrics.json and its report all come from here, so they agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


@dataclass
class TestResults:
    probabilities: np.ndarray  # (N, classes)
    predicted: np.ndarray  # (N,)
    confusion: np.ndarray  # (classes, classes), rows = true class
    scores: list[dict]
    accuracy: float
    loss: float  # cross-entropy of the predicted probabilities
    seconds: float
    losses: np.ndarray | None = None  # (N,) each image's cross-entropy

    def as_dict(self, class_names: list[str]) -> dict:
        return {
            "accuracy": self.accuracy,
            "loss": self.loss,
            "per_class": dict(zip(class_names, self.scores)),
            **averages(self.scores),
            "confusion": self.confusion.tolist(),
        }


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def per_class_scores(matrix: np.ndarray) -> list[dict]:
    scores = []
    for k in range(len(matrix)):
        hits, predicted, actual = matrix[k, k], matrix[:, k].sum(), matrix[k].sum()
        precision = hits / predicted if predicted else 0.0
        recall = hits / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append({"precision": float(precision), "recall": float(recall), "f1": float(f1), "support": int(actual)})
    return scores


def averages(scores: list[dict]) -> dict[str, dict]:
    """Macro (every class counts the same) and weighted (by support) precision, recall and F1, as
    scikit-learn's classification_report gives them."""
    support = np.array([s["support"] for s in scores], dtype=np.float64)
    result = {}
    for name, weights in (("macro avg", np.ones_like(support)), ("weighted avg", support)):
        total = weights.sum()
        result[name] = {
            key: float(np.dot(weights, [s[key] for s in scores]) / total) if total else 0.0
            for key in ("precision", "recall", "f1")
        }
        result[name]["support"] = int(support.sum())
    return result


def most_confused(matrix: np.ndarray, class_names: list[str], count: int = 10) -> list[dict]:
    """The largest off-diagonal cells of the confusion matrix: which class is taken for which."""
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    pairs = []
    for flat in np.argsort(-off, axis=None, kind="stable")[:count]:
        true, predicted = np.unravel_index(flat, off.shape)
        if off[true, predicted] == 0:
            break
        share = off[true, predicted] / max(matrix[true].sum(), 1)
        pairs.append(
            {
                "true": class_names[true],
                "predicted": class_names[predicted],
                "count": int(off[true, predicted]),
                "share": float(share),
            }
        )
    return pairs


def score(model, x: np.ndarray, y: np.ndarray, classes: int, batch_size: int = 256) -> TestResults:
    start = time.perf_counter()
    probabilities = model.predict(x, batch_size=batch_size, verbose=0)
    seconds = time.perf_counter() - start
    predicted = probabilities.argmax(1)
    matrix = confusion_matrix(y, predicted, classes)
    picked = np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0)  # Keras's clip for probabilities
    return TestResults(
        probabilities=probabilities,
        predicted=predicted,
        confusion=matrix,
        scores=per_class_scores(matrix),
        accuracy=float((predicted == y).mean()) if len(y) else 0.0,
        loss=float(-np.log(picked).mean()) if len(y) else 0.0,
        seconds=seconds,
        losses=-np.log(picked),
    )
