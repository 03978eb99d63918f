"""The Metric base class: Keras's update_state / result / reset_state, accumulated on the device.

`update_state` adds to tensors in place; `result()` returns a tensor; the training loop turns
results into Python numbers once per epoch (or when a progress bar redraws), so updating a metric
never waits for the GPU.
"""

from __future__ import annotations

import torch

from cnnkit.common.layout import runtime_dim
from cnnkit.session import to_snake_case


def class_dim(y_pred: torch.Tensor) -> int:
    """The tensor dimension of the API's last (class) axis."""
    return runtime_dim(-1, y_pred.dim())


class Metric:
    """Base class with Keras's interface: update_state, result, reset_state.

    `uses_probabilities`: False for metrics that a softmax cannot change (argmax, top-k), so the
    training loop may hand them logits and skip computing the activation.
    """

    uses_probabilities = True

    def __init__(self, name: str | None = None) -> None:
        self.name = name or to_snake_case(type(self).__name__)

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError

    def result(self) -> torch.Tensor:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def __call__(self, *args, **kwargs) -> torch.Tensor:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name}
