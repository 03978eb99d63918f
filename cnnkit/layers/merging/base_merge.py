"""What the merge layers share: several inputs of one shape (broadcast as Keras allows) become one."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.layer import Layer


class _Merge(Layer):
    """Input: a list of at least two tensors of the same shape. Output: one tensor of that shape."""

    def _check_inputs(self, input_shape) -> list[Shape]:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise self.error("expects a list of at least 2 inputs, e.g. layer([a, b])")
        return input_shape

    def compute_output_shape(self, input_shape: list[Shape]) -> Shape:
        shapes = self._check_inputs(input_shape)
        first = shapes[0]
        for shape in shapes[1:]:
            if len(shape) != len(first) or any(
                a is not None and b is not None and a != b for a, b in zip(first, shape)
            ):
                shown = ", ".join(format_shape(s) for s in shapes)
                raise self.error(f"inputs must all have the same shape; received shapes {shown}")
        return tuple(next((d for d in dims if d is not None), None) for dims in zip(*shapes))

    def call(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return self.merge(list(inputs))

    def merge(self, tensors: list[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError
