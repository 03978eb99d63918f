"""What the callbacks that watch a logged value share: which value, and what counts as better."""

from __future__ import annotations

import math
import warnings

import torch


class Monitor:
    """Whether a logged value improved, Keras's way: mode 'auto' maximises accuracy-like names and
    minimises everything else; an improvement must beat the best by more than `min_delta`."""

    def __init__(self, owner: str, monitor: str, mode: str, min_delta: float) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max'; received mode={mode!r}")
        if mode == "auto":
            maximised = ("acc", "auc", "precision", "recall", "f1", "fbeta")
            mode = "max" if any(word in monitor for word in maximised) else "min"
        self.owner, self.monitor, self.mode, self.min_delta = owner, monitor, mode, abs(min_delta)
        self.worst = math.inf if mode == "min" else -math.inf

    def improved(self, current: float, reference: float) -> bool:
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def value(self, logs: dict | None) -> float | None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            known = ", ".join(sorted(logs or {}))
            warnings.warn(f"{self.owner}: '{self.monitor}' is not in the logs ({known}); skipped", stacklevel=3)
        if isinstance(value, list):
            raise ValueError(
                f"{self.owner}: '{self.monitor}' has one value per class; monitor one number (for F1Score, "
                "average='macro', 'micro' or 'weighted')"
            )
        return value


def weights_snapshot(model) -> dict[str, torch.Tensor]:
    """A copy of every weight and moving statistic, on the device they live on."""
    return {key: value.detach().clone() for key, value in model.state_dict().items()}
