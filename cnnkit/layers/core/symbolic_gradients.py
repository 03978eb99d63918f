"""SymbolicGradients: Keras 2's `K.gradients(loss, x)` on a functional graph's tensors, as a graph
node. When the graph runs (K.function, or a model built on it) the node differentiates the loss
it was given with torch's autograd, with respect to the run-time tensors of `x`, so the old
programs that climb a gradient on their input image (deep_dream.py, neural_style_transfer.py)
get the same numbers TensorFlow 1's symbolic gradients gave them.

The gradients keep torch's graph (create_graph) only in training mode, where a loss made of them
is trained through; K.function runs inference with gradients recorded just for these nodes' sake.
A tensor the loss does not depend on gets zeros (TensorFlow 1 gave None).
"""

from __future__ import annotations

import torch

from cnnkit.layers.layer import Layer


class GradientsNotRecorded(ValueError):
    """K.gradients ran where torch records no gradients (predict, evaluate). A model's inference
    catches it and runs again recording them, as TensorFlow 1's graphs always could (Keras 2's
    mnist_swwae.py takes K.gradients inside a Lambda); K.function records them from the start."""


class SymbolicGradients(Layer):
    """Inputs: [loss, x1, x2, ...]; outputs: [d loss / d x1, d loss / d x2, ...], each shaped as its x
    (one tensor when there is one x)."""

    def compute_output_shape(self, input_shape):
        shapes = [tuple(shape) for shape in input_shape[1:]]
        return shapes if len(shapes) > 1 else shapes[0]  # one output is a tensor, not a list of one

    def call(self, tensors):
        loss, wanted = tensors[0], list(tensors[1:])
        if not torch.is_grad_enabled():
            raise GradientsNotRecorded(
                str(self.error("K.gradients needs the run to record gradients, and this one records none"))
            )
        for x in wanted:
            if not x.requires_grad:
                raise self.error(
                    "K.gradients with respect to a tensor the run does not differentiate (a model input during fit "
                    "or predict); K.function differentiates with respect to its inputs"
                )
        if loss.numel() != 1:
            loss = loss.sum()  # as TensorFlow 1 differentiated a non-scalar: the sum of its entries
        if not loss.requires_grad:
            grads = [torch.zeros_like(x) for x in wanted]  # nothing in the loss depends on them
        else:
            keep_graph = self.training  # training through the gradients (a loss made of them) needs their graph
            found = torch.autograd.grad(loss, wanted, create_graph=keep_graph, allow_unused=True)
            grads = [torch.zeros_like(x) if g is None else g for x, g in zip(wanted, found)]
        return grads if len(grads) > 1 else grads[0]
