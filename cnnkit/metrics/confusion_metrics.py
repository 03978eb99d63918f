"""Keras's confusion-matrix metrics: Precision, Recall, AUC and the four counts (TruePositives, ...).

Each keeps weighted counts of true/false positives/negatives at fixed thresholds, as tensors on
the device (updating never waits for the GPU; under torchrun the counts are summed over the
processes before the result is taken). As in Keras, labels and predictions are flattened, so
for one-hot multi-class data every (sample, class) pair counts; `class_id` picks one class.
A prediction counts as positive when it is above the threshold.
"""

from __future__ import annotations

import torch

from cnnkit import session
from cnnkit.common import registry
from cnnkit.metrics.metric import Metric, class_dim


def _divide(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a / b, 0 where b is 0 (Keras's divide_no_nan)."""
    return torch.where(b > 0, a / b.clamp(min=1e-30), torch.zeros_like(a))


class ConfusionMetric(Metric):
    def __init__(self, thresholds: list[float], name: str | None, class_id=None, top_k=None) -> None:
        super().__init__(name)
        for argument, value in (("class_id", class_id), ("top_k", top_k)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(
                    f"{type(self).__name__}: {argument} must be an int >= 0; received {argument}={value!r}"
                )
        self.thresholds = torch.tensor(thresholds, dtype=torch.float32)
        self.class_id, self.top_k = class_id, top_k
        self.multi_label = getattr(self, "multi_label", False)  # AUC sets it first: counts per label
        self.reset_state()

    def reset_state(self) -> None:
        labels = getattr(self, "num_labels", None)
        shape = (len(self.thresholds),) if not self.multi_label else (len(self.thresholds), labels or 0)
        zeros = torch.zeros(shape, dtype=torch.float64)
        self.true_positives, self.false_positives = zeros.clone(), zeros.clone()
        self.true_negatives, self.false_negatives = zeros.clone(), zeros.clone()

    def state(self) -> list[torch.Tensor]:
        return [self.true_positives, self.false_positives, self.true_negatives, self.false_negatives]

    def set_state(self, values: list[torch.Tensor]) -> None:
        self.true_positives, self.false_positives, self.true_negatives, self.false_negatives = values

    def prepare(self, y_pred: torch.Tensor) -> torch.Tensor:
        return y_pred

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = self.prepare(torch.as_tensor(y_pred).detach().float())
        y_true = torch.as_tensor(y_true, device=y_pred.device).detach()
        if y_true.dim() == y_pred.dim() - 1:  # (N,) labels for an (N, 1) output
            y_true = y_true.unsqueeze(-1)
        if y_true.shape != y_pred.shape:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': labels of shape {tuple(y_true.shape)} do not match predictions "
                f"of shape {tuple(y_pred.shape)}; it counts label by label (one-hot labels for several classes)"
            )
        dim = class_dim(y_pred)
        if self.top_k is not None:  # only each row's top k predictions may count as positive
            kept = y_pred.topk(min(self.top_k, y_pred.shape[dim]), dim=dim).indices
            mask = torch.zeros_like(y_pred, dtype=torch.bool).scatter_(dim, kept, True)
            y_pred = torch.where(mask, y_pred, torch.full_like(y_pred, -float("inf")))
        if self.class_id is not None:
            y_pred, y_true = y_pred.select(dim, self.class_id), y_true.select(dim, self.class_id)
        weight = torch.ones(y_pred.shape, device=y_pred.device, dtype=torch.float64)
        if sample_weight is not None:
            given = torch.as_tensor(sample_weight, device=y_pred.device, dtype=torch.float64)
            weight = weight * given.reshape(given.shape + (1,) * (y_pred.dim() - given.dim()))
        # (values, labels): every value one column (Keras flattens), or one column per label.
        labels = y_pred.shape[-1] if self.multi_label and y_pred.dim() > 1 else 1
        values, positive = y_pred.reshape(-1, labels), (y_true != 0).reshape(-1, labels)
        weight = weight.reshape(-1, labels)
        thresholds = self.thresholds.to(y_pred.device)
        above = (values[None] > thresholds[:, None, None]).double()  # (thresholds, values, labels)
        positives, negatives = weight * positive, weight * ~positive
        tp, fp = torch.einsum("tvl,vl->tl", above, positives), torch.einsum("tvl,vl->tl", above, negatives)
        fn, tn = positives.sum(0) - tp, negatives.sum(0) - fp
        counts = [tp, fp, tn, fn] if self.multi_label else [tp[:, 0], fp[:, 0], tn[:, 0], fn[:, 0]]
        state = self.state()
        if self.multi_label and state[0].shape != counts[0].shape:
            if state[0].numel():
                raise ValueError(
                    f"AUC '{self.name}': predictions have {labels} labels, earlier ones {state[0].shape[1]}"
                )
            state = [torch.zeros_like(c) for c in counts]
        self.set_state([old.to(new.device) + new for old, new in zip(state, counts)])


def _given_thresholds(thresholds, owner: str, top_k) -> list[float]:
    """The thresholds Precision, Recall and the counts count at: 0.5 by default; with `top_k` and
    no thresholds, every one of the top k counts as positive, as in Keras. A list of several
    gives one result per threshold."""
    if thresholds is None:
        return [0.5 if top_k is None else -float("inf")]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in values):
        raise ValueError(
            f"{owner}: thresholds must be a number in [0, 1] or a list of them; received thresholds={thresholds!r}"
        )
    return [float(v) for v in values]


def _per_threshold(values: torch.Tensor) -> torch.Tensor:
    """One number for one threshold, else one per threshold (Keras's shapes)."""
    return (values[0] if len(values) == 1 else values).float()


class Precision(ConfusionMetric):
    """The share of positive predictions that are right: tp / (tp + fp)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="precision") -> None:
        self.given = thresholds
        super().__init__(_given_thresholds(thresholds, "Precision", top_k), name, class_id, top_k)

    def result(self) -> torch.Tensor:
        return _per_threshold(_divide(self.true_positives, self.true_positives + self.false_positives))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.given, "top_k": self.top_k, "class_id": self.class_id}


class Recall(ConfusionMetric):
    """The share of positives found: tp / (tp + fn)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall") -> None:
        self.given = thresholds
        super().__init__(_given_thresholds(thresholds, "Recall", top_k), name, class_id, top_k)

    def result(self) -> torch.Tensor:
        return _per_threshold(_divide(self.true_positives, self.true_positives + self.false_negatives))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.given, "top_k": self.top_k, "class_id": self.class_id}


class AUC(ConfusionMetric):
    """The area under the ROC curve (or the precision-recall curve, curve="PR"), from the counts
    at `num_thresholds` evenly spaced thresholds (or the given `thresholds`), summed as Keras does:
    trapezoids ("interpolation"), Davis & Goadrich's interpolation for PR, or the lower
    ("minoring") or upper ("majoring") Riemann sum."""

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name="auc",
        dtype=None,
        thresholds=None,
        multi_label: bool = False,
        num_labels=None,
        label_weights=None,
        from_logits: bool = False,
    ) -> None:
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR'; received curve={curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                "AUC: summation_method must be 'interpolation', 'minoring' or 'majoring'; received "
                f"summation_method={summation_method!r}"
            )
        if not multi_label and (num_labels is not None or label_weights is not None):
            raise ValueError("AUC: num_labels and label_weights go with multi_label=True")
        if num_labels is not None and (not isinstance(num_labels, int) or num_labels < 1):
            raise ValueError(f"AUC: num_labels must be an int >= 1; received num_labels={num_labels!r}")
        self.multi_label, self.num_labels = bool(multi_label), num_labels
        self.label_weights = None if label_weights is None else [float(w) for w in label_weights]
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
        elif not isinstance(num_thresholds, int) or num_thresholds <= 1:
            raise ValueError(f"AUC: num_thresholds must be an int > 1; received num_thresholds={num_thresholds!r}")
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds = len(inner) + 2
        self.curve, self.summation_method, self.from_logits = curve, summation_method, bool(from_logits)
        self.given_thresholds = None if thresholds is None else inner
        # Endpoints just below 0 and above 1, so that predictions of exactly 0 or 1 are counted.
        super().__init__([0.0 - session.epsilon(), *inner, 1.0 + session.epsilon()], name)

    def prepare(self, y_pred: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(y_pred) if self.from_logits else y_pred

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "thresholds": self.given_thresholds,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self.label_weights,
            "from_logits": self.from_logits,
        }

    def result(self) -> torch.Tensor:
        tp, fp, tn, fn = self.state()
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._over_labels(self._interpolated_pr_auc(tp, fp, fn))
        recall = _divide(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide(fp, fp + tn), recall
        else:
            x, y = recall, _divide(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return self._over_labels(((x[:-1] - x[1:]) * heights).sum(0))

    def _over_labels(self, areas: torch.Tensor) -> torch.Tensor:
        """multi_label: the labels' areas averaged, or weighted by `label_weights`, as Keras."""
        if not self.multi_label or areas.dim() == 0:
            return areas.float()
        if self.label_weights is None:
            return areas.mean().float()
        weights = torch.tensor(self.label_weights, dtype=areas.dtype, device=areas.device)
        if len(weights) != len(areas):
            raise ValueError(f"AUC '{self.name}': {len(weights)} label_weights for {len(areas)} labels")
        return _divide((areas * weights).sum(), weights.sum()).float()

    @staticmethod
    def _interpolated_pr_auc(tp, fp, fn) -> torch.Tensor:
        """Precision interpolated between thresholds as Davis & Goadrich (2006) do: true and all
        positives vary linearly within each interval, their ratio does not."""
        predicted = tp + fp
        dtp = tp[:-1] - tp[1:]
        slope = _divide(dtp, (predicted[:-1] - predicted[1:]).clamp(min=0))
        intercept = tp[1:] - slope * predicted[1:]
        both = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = torch.where(both, _divide(predicted[:-1], predicted[1:].clamp(min=0)), torch.ones_like(dtp))
        return _divide(slope * (dtp + intercept * torch.log(ratio)), (tp[1:] + fn[1:]).clamp(min=0)).sum(0)


class _Count(ConfusionMetric):
    """The weighted number of one kind of outcome at `thresholds` (0.5 by default; a list of
    several gives one count per threshold)."""

    counted = ""

    def __init__(self, thresholds=None, name=None, dtype=None) -> None:
        self.given = thresholds
        super().__init__(_given_thresholds(thresholds, type(self).__name__, None), name, None, None)

    def result(self) -> torch.Tensor:
        return _per_threshold(getattr(self, self.counted))

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.given}


class TruePositives(_Count):
    counted = "true_positives"


class FalsePositives(_Count):
    counted = "false_positives"


class TrueNegatives(_Count):
    counted = "true_negatives"


class FalseNegatives(_Count):
    counted = "false_negatives"


registry.register("metric", Precision, "precision")
registry.register("metric", Recall, "recall")
registry.register("metric", AUC, "auc")
