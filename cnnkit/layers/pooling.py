"""Max and average pooling (windowed and global) with TensorFlow's 'same' padding."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.base import Layer
from cnnkit.layers.conv import check_data_format, check_positive_pair
from cnnkit.layers.same_padding import axis_paddings, check_padding, output_length, same_pads


def _ceil_mode_length(size: int, kernel: int, stride: int) -> int:
    """Torch's output length with ceil_mode=True and no padding."""
    length = -(-(size - kernel) // stride) + 1
    return length - 1 if (length - 1) * stride >= size else length


class _Pooling2D(Layer):
    """Shared by MaxPooling2D and AveragePooling2D.

    Input shape: (batch, height, width, channels). Output shape: (batch, pooled height, pooled width,
    channels). `strides` defaults to `pool_size`. With 'same' padding, windows that overhang the
    edge use only real pixels (max ignores the padding, average divides by the real count), as
    in TensorFlow: 28 -> 14 -> 7 -> 4 with 2x2 windows. An int (or pair) pads that many pixels
    on both sides, as torch does (at most half the window).
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.pool_size = check_positive_pair(pool_size, "pool_size", owner)
        self.strides = self.pool_size if strides is None else check_positive_pair(strides, "strides", owner)
        self.padding = check_padding(padding, owner)
        if isinstance(self.padding, tuple) and any(p > k // 2 for p, k in zip(self.padding, self.pool_size)):
            raise self.error(f"padding may be at most half of pool_size={self.pool_size}; received padding={padding!r}")
        check_data_format(data_format, owner)
        self._plans: dict[tuple, tuple] = {}

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, h, w, c = input_shape
        sizes = [
            output_length(size, k, s, p)
            for size, k, s, p in zip((h, w), self.pool_size, self.strides, axis_paddings(self.padding))
        ]
        if any(size is not None and size <= 0 for size in sizes):
            raise self.error(
                f"input {format_shape(input_shape)} is too small for pool_size={self.pool_size} "
                f"with padding={self.padding!r}"
            )
        return (n, *sizes, c)

    def _plan(self, height: int, width: int) -> tuple[str, object]:
        """How to pool an input of this size: ('torch', (padding, ceil_mode)) or ('explicit', pads)."""
        plan = self._plans.get((height, width))
        if plan is not None:
            return plan
        if self.padding == "valid":
            plan = ("torch", ((0, 0), False))
        elif isinstance(self.padding, tuple):  # explicit: max ignores it, average divides by real pixels
            plan = ("torch", (self.padding, False))
        else:
            sizes, kernels, strides = (height, width), self.pool_size, self.strides
            pads = [same_pads(size, k, s) for size, k, s in zip(sizes, kernels, strides)]
            if all(before == after <= k // 2 for (before, after), k in zip(pads, kernels)):
                plan = ("torch", ((pads[0][0], pads[1][0]), False))
            elif all(
                before == 0 and size >= k and _ceil_mode_length(size, k, s) == -(-size // s)
                for (before, _), size, k, s in zip(pads, sizes, kernels, strides)
            ):
                # Padding only at the end: torch's ceil_mode clips those windows to real pixels.
                plan = ("torch", ((0, 0), True))
            else:
                (top, bottom), (left, right) = pads
                plan = ("explicit", (left, right, top, bottom))
        self._plans[(height, width)] = plan
        return plan

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "strides": self.strides,
            "padding": self.padding,
        }


class MaxPooling2D(_Pooling2D):
    __doc__ = "The largest value of each window. " + (_Pooling2D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        how, detail = self._plan(x.shape[-2], x.shape[-1])
        if how == "explicit":
            return F.max_pool2d(F.pad(x, detail, value=float("-inf")), self.pool_size, self.strides)
        padding, ceil_mode = detail
        return F.max_pool2d(x, self.pool_size, self.strides, padding, ceil_mode=ceil_mode)


class AveragePooling2D(_Pooling2D):
    __doc__ = "The mean of each window. " + (_Pooling2D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        how, detail = self._plan(x.shape[-2], x.shape[-1])
        if how == "explicit":
            # Average over real pixels only: divide the zero-padded sums by each window's real count.
            summed = F.avg_pool2d(F.pad(x, detail), self.pool_size, self.strides)
            ones = torch.ones(1, 1, *x.shape[-2:], dtype=x.dtype, device=x.device)
            real_fraction = F.avg_pool2d(F.pad(ones, detail), self.pool_size, self.strides)
            return summed / real_fraction
        padding, ceil_mode = detail
        return F.avg_pool2d(x, self.pool_size, self.strides, padding, ceil_mode=ceil_mode, count_include_pad=False)


class _GlobalPooling2D(Layer):
    """Input shape: (batch, height, width, channels). Output: (batch, channels), or
    (batch, 1, 1, channels) with keepdims=True."""

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        check_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.keepdims = bool(keepdims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, _, _, c = input_shape
        return (n, 1, 1, c) if self.keepdims else (n, c)

    def get_config(self) -> dict:
        return {**super().get_config(), "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPooling2D):
    __doc__ = "The mean over height and width. " + (_GlobalPooling2D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3), keepdim=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling2D):
    __doc__ = "The maximum over height and width. " + (_GlobalPooling2D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.amax(dim=(2, 3), keepdim=self.keepdims)
