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
    """Input: a list of at least two tensors of one rank whose shapes match or broadcast (a size 1
    against any size). Output: one tensor of the broadcast shape."""

    def _check_inputs(self, input_shape) -> list[Shape]:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise self.error("expects a list of at least 2 inputs, e.g. layer([a, b])")
        return input_shape

    def compute_output_shape(self, input_shape: list[Shape]) -> Shape:
        shapes = self._check_inputs(input_shape)
        first = shapes[0]
        for shape in shapes[1:]:
            if len(shape) != len(first) or any(
                a is not None and b is not None and a != b and 1 not in (a, b) for a, b in zip(first, shape)
            ):
                shown = ", ".join(format_shape(s) for s in shapes)
                raise self.error(f"inputs must have one shape, or shapes that broadcast; received shapes {shown}")
        return tuple(_broadcast(dims) for dims in zip(*shapes))

    def call(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return self.merge(list(inputs))

    def merge(self, tensors: list[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError
