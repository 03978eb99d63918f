"""UnitNormalization: each sample scaled to unit L2 norm along the axes given."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, runtime_dim
from cnnkit.layers.layer import Layer


class UnitNormalization(Layer):
    """Scales each sample to length 1 along `axis` (an int or a list, channels-last numbering):
    x / max(||x||, 1e-12), as Keras does."""

    supports_masking = True

    def __init__(self, axis=-1, **kwargs) -> None:
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise self.error(f"axis must be an int or a list of ints; received axis={axis!r}")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -rank <= a < rank or a % rank == 0 for a in axes):
            raise self.error(f"axis={self.axis!r} does not name a non-batch axis of input {tuple(input_shape)}")
        return tuple(input_shape)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        dims = [runtime_dim(self.api_axis(a, x.dim()), x.dim()) for a in axes]
        norm = x.square().sum(dim=dims, keepdim=True).sqrt()
        return x / norm.clamp(min=1e-12)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
