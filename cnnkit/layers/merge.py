"""Merge layers: combine a list of tensors into one (Add, Concatenate, ...), and their function forms.

`layers.add([a, b])` is `Add()([a, b])`. Element-wise merges need equal shapes; Concatenate
needs equal shapes except on `axis`, an API (channels-last) axis, so the default -1 joins channels.
"""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, format_shape, runtime_dim
from cnnkit.layers.base import Layer


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


class Add(_Merge):
    __doc__ = "The element-wise sum of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        return sum(tensors[1:], tensors[0])


class Subtract(_Merge):
    """The first input minus the second (exactly two inputs)."""

    def _check_inputs(self, input_shape) -> list[Shape]:
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise self.error("expects a list of exactly 2 inputs, e.g. Subtract()([a, b])")
        return input_shape

    def merge(self, tensors):
        return tensors[0] - tensors[1]


class Multiply(_Merge):
    __doc__ = "The element-wise product of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        product = tensors[0] * tensors[1]
        for tensor in tensors[2:]:
            product = product * tensor
        return product


class Average(_Merge):
    __doc__ = "The element-wise mean of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        return sum(tensors[1:], tensors[0]) / len(tensors)


class Maximum(_Merge):
    __doc__ = "The element-wise maximum of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        return torch.stack(tensors).amax(dim=0)


class Minimum(_Merge):
    __doc__ = "The element-wise minimum of the inputs. " + (_Merge.__doc__ or "")

    def merge(self, tensors):
        return torch.stack(tensors).amin(dim=0)


class Concatenate(_Merge):
    """Joins the inputs along `axis`, an API axis: for images (batch, height, width, channels),
    -1 (the default) stacks channels, as an Inception module does. Other axes must match."""

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise self.error(f"axis must be an int; received axis={axis!r}")
        self.axis = axis

    def compute_output_shape(self, input_shape: list[Shape]) -> Shape:
        shapes = self._check_inputs(input_shape)
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank or self.axis % rank == 0:
            shown = ", ".join(format_shape(s) for s in shapes)
            raise self.error(f"cannot join along axis={self.axis} the shapes {shown}")
        axis = self.axis % rank
        out = []
        for i, dims in enumerate(zip(*shapes)):
            if i == axis:
                out.append(None if None in dims else sum(dims))
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                shown = ", ".join(format_shape(s) for s in shapes)
                raise self.error(f"shapes must match except on axis={self.axis}; received {shown}")
            out.append(known.pop() if known else None)
        return tuple(out)

    def merge(self, tensors):
        return torch.cat(tensors, dim=runtime_dim(self.axis, tensors[0].dim()))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def add(inputs, **kwargs):
    """`Add(**kwargs)(inputs)`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """`Subtract(**kwargs)(inputs)`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """`Multiply(**kwargs)(inputs)`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """`Average(**kwargs)(inputs)`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """`Maximum(**kwargs)(inputs)`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """`Minimum(**kwargs)(inputs)`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis: int = -1, **kwargs):
    """`Concatenate(axis=axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
