"""What the pooling layers share: window arguments and the output length."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, format_shape
from cnnkit.common.same_padding import axis_paddings, check_padding, output_length, same_pads, time_pads, volume_pads
from cnnkit.layers.arguments import (
    SEQUENCE,
    VOLUME,
    as_tuple,
    check_data_format,
    check_positive_pair,
    one_positive_int,
    sequence_padding,
)
from cnnkit.layers.layer import Layer


class _Pooling1D(Layer):
    """Input shape: (batch, steps, channels). Output shape: (batch, pooled steps, channels).
    `strides` defaults to `pool_size`. With 'same' padding, windows that overhang the end use only
    real steps (max ignores the padding, average divides by the real count), as in TensorFlow."""

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pool_size = one_positive_int(pool_size, "pool_size", self)
        self.strides = self.pool_size if strides is None else one_positive_int(strides, "strides", self)
        self.padding = sequence_padding(padding, self, ("valid", "same"))
        check_data_format(data_format, f"{type(self).__name__} '{self.name}'")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, steps, channels = input_shape
        length = output_length(steps, self.pool_size, self.strides, self.padding)
        if length is not None and length <= 0:
            raise self.error(f"input {format_shape(input_shape)} is too short for pool_size={self.pool_size}")
        return (n, length, channels)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)
        pads = time_pads(self.padding, x.shape[-1], self.pool_size, self.strides)
        return self.pool(x, pads).transpose(1, 2)

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides, "padding": self.padding}


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


class _Pooling3D(Layer):
    """Input shape: (batch, depth, height, width, channels); output: the pooled volume, the same
    channels. `strides` defaults to `pool_size`. With 'same' padding, windows that overhang an
    edge use only real voxels (max ignores the padding, average divides by the real count)."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding: str = "valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = as_tuple(pool_size, 3, "pool_size", self)
        self.strides = self.pool_size if strides is None else as_tuple(strides, 3, "strides", self)
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise self.error(f"padding must be 'valid' or 'same'; received padding={padding!r}")
        check_data_format(data_format, f"{type(self).__name__} '{self.name}'")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 5, VOLUME)
        sizes = [
            output_length(n, k, s, self.padding) for n, k, s in zip(input_shape[1:4], self.pool_size, self.strides)
        ]
        if any(size is not None and size <= 0 for size in sizes):
            raise self.error(f"input {format_shape(input_shape)} is too small for pool_size={self.pool_size}")
        return (input_shape[0], *sizes, input_shape[4])

    def call(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 4, 1, 2, 3)
        pads = volume_pads(x.shape[2:], self.pool_size, self.strides) if self.padding == "same" else (0,) * 6
        return self.pool(x, pads).permute(0, 2, 3, 4, 1)

    def pool(self, x: torch.Tensor, pads: tuple[int, ...]) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides, "padding": self.padding}
