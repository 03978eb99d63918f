"""Mean, and MeanMetricWrapper: the mean of any per-sample function."""

from __future__ import annotations

from collections.abc import Callable

import torch

from cnnkit.metrics.metric import Metric


class Mean(Metric):
    """The (weighted) mean of the values given to update_state."""

    def __init__(self, name: str = "mean") -> None:
        super().__init__(name)
        self.reset_state()

    def reset_state(self) -> None:
        self.total: torch.Tensor | float = 0.0
        self.count: torch.Tensor | float = 0.0

    def update_state(self, values, sample_weight=None) -> None:
        values = torch.as_tensor(values).detach().float()
        if sample_weight is None:
            self.total = self.total + values.sum()
            self.count = self.count + values.numel()  # a host number: no device work
            return
        weight = torch.as_tensor(sample_weight, device=values.device).detach().float()
        weight = torch.broadcast_to(weight.reshape(weight.shape + (1,) * (values.dim() - weight.dim())), values.shape)
        self.total = self.total + (values * weight).sum()
        self.count = self.count + weight.sum()

    def update_mean(self, mean_value: torch.Tensor, count: int) -> None:
        """Add a batch mean that stands for `count` samples (the loss of a batch)."""
        self.total = self.total + mean_value.detach().float() * count
        self.count = self.count + count

    def state(self) -> list:
        """What a result is computed from, to be summed over processes under torchrun."""
        return [self.total, self.count]

    def set_state(self, values: list[torch.Tensor]) -> None:
        self.total, self.count = values[0].float(), values[1].float()

    def result(self) -> torch.Tensor:
        total = torch.as_tensor(self.total, dtype=torch.float32)
        if isinstance(self.count, torch.Tensor):
            return total / self.count.clamp(min=1e-12)
        return total / max(self.count, 1e-12)


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred)` over all samples seen."""

    def __init__(self, fn: Callable, name: str | None = None, **fn_kwargs) -> None:
        super().__init__(name or getattr(fn, "__name__", "metric"))
        self.fn, self.fn_kwargs = fn, fn_kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = torch.as_tensor(y_pred)
        y_true = torch.as_tensor(y_true, device=y_pred.device)
        super().update_state(self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)
