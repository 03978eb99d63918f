"""Keras's F-scores, F1Score and FBetaScore, for classifiers (Keras 3's definitions).

Each class's prediction is positive where its score is the row's largest (threshold=None) or
above `threshold`; true/false positives and false negatives are counted per class (weighted by
`sample_weight`) and combined at the end:

    precision = tp / (tp + fp + eps), recall = tp / (tp + fn + eps),
    F_beta = (1 + beta^2) * precision * recall / (beta^2 * precision + recall + eps),  eps = 1e-7

average=None gives one score per class, "macro" their mean, "weighted" their mean weighted by
each class's (weighted) number of true labels, "micro" the score of the counts summed over
classes. Labels are one-hot (batch, classes) as Keras requires, or, beyond Keras, integer class
labels for a softmax output, which are one-hot encoded here.
"""

from __future__ import annotations

import torch

from cnnkit import session
from cnnkit.metrics.metric import Metric

AVERAGES = (None, "micro", "macro", "weighted")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class FBetaScore(Metric):
    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None) -> None:
        owner = type(self).__name__
        if average not in AVERAGES:
            raise ValueError(f"{owner}: average must be None, 'micro', 'macro' or 'weighted'; received {average!r}")
        if not _is_number(beta) or beta <= 0:
            raise ValueError(f"{owner}: beta must be a number > 0; received beta={beta!r}")
        if threshold is not None and (not _is_number(threshold) or not 0 < threshold <= 1):
            raise ValueError(f"{owner}: threshold must be None or a number in (0, 1]; received {threshold!r}")
        super().__init__(name)
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self.reset_state()

    def reset_state(self) -> None:
        # Per-class counts, made at the first update when the number of classes is known.
        self.counts: torch.Tensor | None = None  # (4, classes): tp, fp, fn, true labels

    def state(self) -> list[torch.Tensor]:
        return [self.counts if self.counts is not None else torch.zeros(4, 0, dtype=torch.float64)]

    def set_state(self, values: list[torch.Tensor]) -> None:
        self.counts = values[0]

    def _one_hot_labels(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        owner = f"{type(self).__name__} '{self.name}'"
        if y_pred.dim() != 2:
            raise ValueError(f"{owner}: expects predictions of shape (batch, classes); received {tuple(y_pred.shape)}")
        classes = y_pred.shape[1]
        if y_true.shape == y_pred.shape:
            return y_true.double()
        sparse = y_true.dim() == 1 or (y_true.dim() == 2 and y_true.shape[1] == 1)
        if sparse and classes > 1 and len(y_true) == len(y_pred):
            labels = y_true.reshape(-1).long()
            if labels.numel() and (labels.min() < 0 or labels.max() >= classes):
                raise ValueError(f"{owner}: class labels must lie in 0..{classes - 1}")
            return torch.nn.functional.one_hot(labels, classes).double()
        raise ValueError(
            f"{owner}: labels of shape {tuple(y_true.shape)} do not fit predictions of shape {tuple(y_pred.shape)}; "
            "expected one-hot labels of the same shape (or integer class labels)"
        )

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = torch.as_tensor(y_pred).detach().float()
        y_true = self._one_hot_labels(torch.as_tensor(y_true, device=y_pred.device).detach(), y_pred)
        if self.threshold is None:  # the top class of each row (ties: all of them), as Keras
            predicted = (y_pred >= y_pred.max(dim=1, keepdim=True).values) & (y_pred.abs() > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.double()
        weight = torch.ones(len(y_pred), 1, dtype=torch.float64, device=y_pred.device)
        if sample_weight is not None:
            weight = torch.as_tensor(sample_weight, dtype=torch.float64, device=y_pred.device).reshape(-1, 1)
        batch = torch.stack(
            [
                (predicted * y_true * weight).sum(0),
                (predicted * (1 - y_true) * weight).sum(0),
                ((1 - predicted) * y_true * weight).sum(0),
                (y_true * weight).sum(0),
            ]
        )
        self.counts = batch if self.counts is None else self.counts.to(batch.device) + batch

    def result(self) -> torch.Tensor:
        if self.counts is None:
            return torch.tensor(0.0)
        tp, fp, fn, support = self.counts
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        eps, beta2 = session.epsilon(), self.beta**2
        precision, recall = tp / (tp + fp + eps), tp / (tp + fn + eps)
        score = (1 + beta2) * precision * recall / (beta2 * precision + recall + eps)
        if self.average == "weighted":
            score = (score * support / (support.sum() + eps)).sum()
        elif self.average == "macro":
            score = score.mean()
        return score.float()

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """FBetaScore with beta = 1: the harmonic mean of precision and recall."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
