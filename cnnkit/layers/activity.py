"""Activity regularization (Keras's `activity_regularizer=` on any layer, and the
ActivityRegularization layer): a penalty on what a layer outputs, added to the loss of the
step that computed it, e.g. the L1 sparsity penalty of a sparse autoencoder's code.

As in Keras, each penalty is divided by the batch size. Penalties are collected only while
fit/evaluate run a step (`collecting()`); a layer called anywhere else computes none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

_collected: list[torch.Tensor] | None = None  # the running step's penalties, or None outside steps


@contextmanager
def collecting() -> Iterator[list[torch.Tensor]]:
    """The penalties of the layers that run inside the `with` block."""
    global _collected
    previous, _collected = _collected, []
    try:
        yield _collected
    finally:
        _collected = previous


def current() -> list[torch.Tensor]:
    """The penalties collected so far in the running step (none outside a step)."""
    return _collected if _collected is not None else []


def in_step() -> bool:
    """Whether fit or evaluate is running a step (a model's added metrics count only then)."""
    return _collected is not None


def add(loss: torch.Tensor) -> None:
    """A loss a layer or model adds itself (`add_loss`), counted in the running step's loss as it
    is; one that is not a scalar counts by its mean, as tf.keras took it."""
    if _collected is None:
        return
    loss = torch.as_tensor(loss)
    _collected.append(loss if loss.dim() == 0 else loss.mean())


def record(regularizer, output) -> None:
    """Add `regularizer`'s penalty of `output` (a tensor or a list of them) to the running step's."""
    if _collected is None:
        return
    for tensor in output if isinstance(output, (list, tuple)) else [output]:
        if isinstance(tensor, torch.Tensor):
            penalty = regularizer(tensor)
            _collected.append(penalty / tensor.shape[0] if tensor.dim() > 0 else penalty)
