"""Dot, and its functional form `dot`: per-sample dot products of two tensors along given axes."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.backend_ops import batch_dot
from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.layer import Layer


class Dot(Layer):
    """Keras's Dot: for inputs [x, y] of shapes (batch, ...), the sum of x * y over x's axis
    `axes[0]` and y's `axes[1]` (one int: the same axis of both), sample by sample; with
    `normalize=True` both are L2-normalised along those axes first, giving cosine similarity.
    (batch, n) with (batch, n) gives (batch, 1); (batch, m, d) with (batch, n, d) and axes=2 gives
    (batch, m, n), as in a memory network's attention. Inputs of rank 2 or 3 (not images)."""

    def __init__(self, axes, normalize: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        pair = (axes, axes) if isinstance(axes, int) else tuple(axes)
        if len(pair) != 2 or not all(isinstance(a, int) and not isinstance(a, bool) for a in pair):
            raise self.error(f"axes must be an int or a pair of ints; received axes={axes!r}")
        self.axes, self.normalize = pair, bool(normalize)

    def _positive_axes(self, shapes: list[Shape]) -> tuple[int, int]:
        axes = []
        for axis, shape in zip(self.axes, shapes):
            positive = axis % len(shape)
            if positive == 0:
                raise self.error(f"axes must not name the batch axis; received axes={self.axes}")
            axes.append(positive)
        return axes[0], axes[1]

    def compute_output_shape(self, input_shape) -> Shape:
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise self.error("expects a list of 2 inputs, e.g. Dot(axes=1)([a, b])")
        x, y = input_shape
        if not 2 <= len(x) <= 3 or not 2 <= len(y) <= 3:
            raise self.error(f"takes inputs of rank 2 or 3; received shapes {format_shape(x)}, {format_shape(y)}")
        a, b = self._positive_axes([x, y])
        if x[a] is not None and y[b] is not None and x[a] != y[b]:
            raise self.error(
                f"axis {a} of the first input ({x[a]}) and axis {b} of the second ({y[b]}) must have one size; "
                f"received shapes {format_shape(x)}, {format_shape(y)}"
            )
        kept_x = [d for i, d in enumerate(x) if i not in (0, a)]
        shape = (None, *kept_x, *(d for i, d in enumerate(y) if i not in (0, b)))
        return shape if len(shape) > 1 else (None, 1)

    def call(self, inputs) -> torch.Tensor:
        x, y = inputs
        a, b = self._positive_axes([tuple(x.shape), tuple(y.shape)])
        if self.normalize:
            x, y = F.normalize(x, dim=a), F.normalize(y, dim=b)
        return batch_dot(x, y, (a, b))

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": list(self.axes), "normalize": self.normalize}


def dot(inputs, axes, normalize: bool = False, **kwargs):
    """`Dot(axes, normalize, **kwargs)(inputs)`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
