"""What `compile` records: the optimizer, the loss and the metrics, and the running totals."""

from __future__ import annotations

import torch

from cnnkit.training import losses, metrics, optimizers
from cnnkit.training.metrics import Mean, Metric


class TrainingSetup:
    def __init__(self, optimizer="rmsprop", loss=None, metric_ids=None) -> None:
        self.optimizer = optimizers.get(optimizer)
        self.loss = None if loss is None else losses.get(loss)
        if metric_ids is not None and not isinstance(metric_ids, (list, tuple)):
            raise TypeError(f"compile: metrics must be a list; received {metric_ids!r}.")
        self.metric_ids = list(metric_ids or [])
        metrics.check_names(self.metric_ids)
        self.metrics: list[Metric] | None = None  # resolved when the labels are first seen
        self.loss_tracker = Mean("loss")

    def require_loss(self, where: str) -> losses.Loss:
        if self.loss is None:
            raise ValueError(f"{where}: the model was compiled without a loss; pass loss= to compile().")
        return self.loss

    def resolve_metrics(self, label_rank: int, output_shape: tuple) -> None:
        if self.metrics is None:
            loss_name = self.loss.name if self.loss is not None else ""
            self.metrics = [metrics.get(i, loss_name, label_rank, output_shape) for i in self.metric_ids]

    @property
    def metrics_use_probabilities(self) -> bool:
        return any(metric.uses_probabilities for metric in self.metrics or [])

    def reset(self) -> None:
        self.loss_tracker.reset_state()
        for metric in self.metrics or []:
            metric.reset_state()

    def update(self, loss_value: torch.Tensor, count: int, y_true, y_pred, sample_weight) -> None:
        self.loss_tracker.update_mean(loss_value, count)
        for metric in self.metrics or []:
            metric.update_state(y_true, y_pred, sample_weight)

    def results(self) -> dict[str, float]:
        """Current loss and metric values as Python floats (one device sync)."""
        values = [self.loss_tracker.result()] + [metric.result() for metric in self.metrics or []]
        names = ["loss"] + [metric.name for metric in self.metrics or []]
        numbers = torch.stack([torch.as_tensor(v, dtype=torch.float32).to(values[0].device) for v in values]).tolist()
        return dict(zip(names, numbers))
