"""keras.ops.image: resize and extract_patches on channels-last images (batch, height, width,
channels), or one image (height, width, channels)."""

from __future__ import annotations

import torch.nn.functional as F

from cnnkit.common import symbolic
from cnnkit.common.same_padding import same_pads
from cnnkit.ops.numpy import _t


def _batched(images):
    x = _t(images)
    return (x.unsqueeze(0), True) if x.dim() == 3 else (x, False)


def resize(images, size, interpolation="bilinear", antialias=False, data_format=None, **unused):
    x, single = _batched(images)
    mode = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic", "area": "area"}[interpolation]
    nchw = x.permute(0, 3, 1, 2).float()
    extra = {} if mode in ("nearest", "area") else {"align_corners": False, "antialias": antialias}
    out = F.interpolate(nchw, size=tuple(size), mode=mode, **extra).permute(0, 2, 3, 1)
    return out[0] if single else out


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Each `size` patch as one vector: (batch, rows of patches, columns, patch_h * patch_w * channels),
    the vector in (row, column, channel) order, as Keras's."""
    x, single = _batched(images)
    patch = (size, size) if isinstance(size, int) else tuple(size)
    step = patch if strides is None else ((strides, strides) if isinstance(strides, int) else tuple(strides))
    nchw = x.permute(0, 3, 1, 2)
    if padding == "same":
        (top, bottom), (left, right) = (same_pads(n, k, s) for n, k, s in zip(nchw.shape[2:], patch, step))
        nchw = F.pad(nchw, (left, right, top, bottom))
    channels = nchw.shape[1]
    blocks = nchw.unfold(2, patch[0], step[0]).unfold(3, patch[1], step[1])  # (N, C, rows, cols, ph, pw)
    rows, cols = blocks.shape[2], blocks.shape[3]
    out = blocks.permute(0, 2, 3, 4, 5, 1).reshape(x.shape[0], rows, cols, patch[0] * patch[1] * channels)
    return out[0] if single else out


__all__ = symbolic.dispatch_module(globals(), __name__)
