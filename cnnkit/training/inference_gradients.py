"""Inference without gradients, except for graphs that take some themselves.

predict and evaluate run with torch's gradient recording off. A Keras 2 graph may take gradients
as part of its forward pass (K.gradients inside a Lambda: mnist_swwae.py's unpooling switches are
the gradient of a max-pooling), which TensorFlow 1 could always do. Such a model is found at its
first inference run, which stops with GradientsNotRecorded; it then runs again recording them,
and so does every later run of it. Other models pay nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from cnnkit.layers.core.symbolic_gradients import GradientsNotRecorded


def run_inference(model, run: Callable):
    """`run()` (the model's forward on a batch) with gradients recorded only where the model's
    graph takes them; its outputs detached."""
    if torch.is_grad_enabled():
        return run()
    if not getattr(model, "_gradients_in_inference", False):
        try:
            return run()
        except GradientsNotRecorded:
            model._gradients_in_inference = True
    with torch.enable_grad():
        outputs = run()
    return [o.detach() for o in outputs] if isinstance(outputs, (list, tuple)) else outputs.detach()
