"""Concatenate, and its functional form `concatenate`."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, format_shape, runtime_dim
from cnnkit.layers.merging.base_merge import _Merge


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
        axis = self.api_axis(self.axis, rank) % rank
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
        rank = tensors[0].dim()
        return torch.cat(tensors, dim=runtime_dim(self.api_axis(self.axis, rank), rank))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis: int = -1, **kwargs):
    """`Concatenate(axis=axis, **kwargs)(inputs)`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
