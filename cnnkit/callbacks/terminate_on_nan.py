"""TerminateOnNaN: stop at the first NaN or infinite loss."""

from __future__ import annotations

from cnnkit.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop as soon as a batch's loss is NaN or infinite, before that batch updates the weights, so
    the model keeps its last good weights; the message names the epoch and batch. (It reads the
    loss of every batch, which waits for the device each step; leave it out of timed runs.)"""

    checks_each_loss = True  # fit looks at this: the check happens between the loss and the update
