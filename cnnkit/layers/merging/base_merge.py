"""What the merge layers share: several inputs of one shape, or shapes that broadcast as Keras's
do (an axis of size 1 meets any size), become one."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.layer import Layer


def _broadcast(sizes) -> int | None:
    """One axis's size after broadcasting: the size other than 1 (unknown if any is unknown)."""
    known = [d for d in sizes if d is not None and d != 1]
    if known:
        return known[0]
    return None if any(d is None for d in sizes) else 1


class _Merge(Layer):
    """Input: a list of at least two tensors whose shapes match or broadcast (a size 1 against any
    size). An input of lower rank gets axes of size 1 after its batch axis first, as Keras's merge
    layers do: (batch, 100) with (batch, 1, 100) is (batch, 1, 100). Output: the broadcast shape.
    Inputs of rank 4 (images, NCHW inside) take no new axes."""

    def _check_inputs(self, input_shape) -> list[Shape]:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise self.error("expects a list of at least 2 inputs, e.g. layer([a, b])")
        return input_shape

    def compute_output_shape(self, input_shape: list[Shape]) -> Shape:
        shapes = self._check_inputs(input_shape)
        rank = max(len(s) for s in shapes)
        if rank != min(len(s) for s in shapes) and rank != 4:
            shapes = [(s[0], *(1,) * (rank - len(s)), *s[1:]) for s in shapes]
        first = shapes[0]
        for shape in shapes[1:]:
            if len(shape) != len(first) or any(
                a is not None and b is not None and a != b and 1 not in (a, b) for a, b in zip(first, shape)
            ):
                shown = ", ".join(format_shape(s) for s in shapes)
                raise self.error(f"inputs must have one shape, or shapes that broadcast; received shapes {shown}")
        return tuple(_broadcast(dims) for dims in zip(*shapes))

    def call(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        rank = max(t.dim() for t in inputs)
        tensors = [t.reshape(t.shape[0], *(1,) * (rank - t.dim()), *t.shape[1:]) for t in inputs]
        return self.merge(tensors)

    def merge(self, tensors: list[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError
