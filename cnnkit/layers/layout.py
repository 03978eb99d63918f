"""Where channels-last API shapes meet NCHW run-time tensors.

At the API a shape never includes the batch axis's size and images are (height, width, channels).
Inside, rank-4 tensors are (batch, channels, height, width); every other rank keeps its axes as
the API names them (sequences stay (batch, timesteps, features)).
"""

from __future__ import annotations

import torch

Shape = tuple  # (None, *dims): the batch axis first, its size unknown


def api_shape(x: torch.Tensor) -> Shape:
    """The channels-last shape, batch axis as None, of a run-time tensor."""
    if x.dim() == 4:
        _, c, h, w = x.shape
        return (None, h, w, c)
    return (None, *x.shape[1:])


def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    """NCHW -> NHWC (a view); other ranks unchanged."""
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


def to_channels_first(x: torch.Tensor) -> torch.Tensor:
    """NHWC -> NCHW (a view); other ranks unchanged."""
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def runtime_dim(axis: int, rank: int) -> int:
    """The tensor dimension that API axis `axis` (negative allowed) lives in at run time."""
    axis = axis % rank
    if rank == 4:
        return (0, 2, 3, 1)[axis]
    return axis


def format_shape(shape: Shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
