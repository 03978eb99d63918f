"""Subtract, and its functional form `subtract`."""

from __future__ import annotations

from cnnkit.common.layout import Shape
from cnnkit.layers.merging.base_merge import _Merge


class Subtract(_Merge):
    """The first input minus the second (exactly two inputs)."""

    def _check_inputs(self, input_shape) -> list[Shape]:
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise self.error("expects a list of exactly 2 inputs, e.g. Subtract()([a, b])")
        return input_shape

    def merge(self, tensors):
        return tensors[0] - tensors[1]


def subtract(inputs, **kwargs):
    """`Subtract(**kwargs)(inputs)`."""
    return Subtract(**kwargs)(inputs)
