"""Layers that only move values around: Flatten, Reshape, ZeroPadding2D."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape, format_shape, to_channels_first, to_channels_last
from cnnkit.layers.base import Layer


class Flatten(Layer):
    """Flattens each sample into one vector, in Keras's (height, width, channels) order.

    Input shape: (batch, ...). Output shape: (batch, product of the other axes).
    Keeping Keras's order means Flatten then Reshape round-trips exactly as in Keras, and Dense
    kernels after a Flatten have Keras's row order.
    """

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        dims = input_shape[1:]
        return (input_shape[0], None if None in dims else math.prod(dims))

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return to_channels_last(x).reshape(x.shape[0], -1)


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (channels-last; one entry may be -1).

    Input shape: (batch, ...). Output shape: (batch, *target_shape).
    """

    def __init__(self, target_shape: tuple, **kwargs) -> None:
        super().__init__(**kwargs)
        target = tuple(target_shape)
        if not all(isinstance(d, int) and (d > 0 or d == -1) for d in target) or target.count(-1) > 1:
            raise self.error(f"target_shape must hold positive ints and at most one -1; received {target_shape!r}")
        self.target_shape = target

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        dims = input_shape[1:]
        if None in dims:
            return (input_shape[0], *(None if d == -1 else d for d in self.target_shape))
        size = math.prod(dims)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                raise self.error(f"cannot reshape input {format_shape(input_shape)} to {self.target_shape}")
            target = tuple(size // known if d == -1 else d for d in self.target_shape)
        else:
            target = self.target_shape
        if math.prod(target) != size:
            raise self.error(
                f"cannot reshape input {format_shape(input_shape)} ({size} values) to "
                f"{self.target_shape} ({math.prod(target)} values)"
            )
        return (input_shape[0], *target)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        # Reshape in Keras's channels-last order, then return to NCHW if the result is an image.
        return to_channels_first(to_channels_last(x).reshape(x.shape[0], *self.target_shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


class ZeroPadding2D(Layer):
    """Pads images with zeros: `padding` is an int, (rows, cols) or ((top, bottom), (left, right)).

    Input shape: (batch, height, width, channels). Output: (batch, padded height, padded width, channels).
    """

    def __init__(self, padding: int | tuple = (1, 1), **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = self._parse(padding)

    def _parse(self, padding, argument: str = "padding") -> tuple[tuple[int, int], tuple[int, int]]:
        try:
            if isinstance(padding, int):
                pads = ((padding, padding), (padding, padding))
            elif all(isinstance(p, int) for p in padding):
                rows, cols = padding
                pads = ((rows, rows), (cols, cols))
            else:
                (top, bottom), (left, right) = padding
                pads = ((top, bottom), (left, right))
        except (TypeError, ValueError):
            pads = None
        if pads is None or not all(isinstance(p, int) and p >= 0 for pair in pads for p in pair):
            raise self.error(
                f"{argument} must be an int, (rows, cols) or ((top, bottom), (left, right)) of "
                f"non-negative ints; received {argument}={padding!r}"
            )
        return pads

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, h, w, c = input_shape
        (top, bottom), (left, right) = self.padding
        return (n, None if h is None else h + top + bottom, None if w is None else w + left + right, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        (top, bottom), (left, right) = self.padding
        return F.pad(x, (left, right, top, bottom))

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}


class Cropping2D(Layer):
    """Cuts rows and columns off the edges of images: `cropping` is an int, (rows, cols) or
    ((top, bottom), (left, right)), as ZeroPadding2D's `padding`.

    Input shape: (batch, height, width, channels). Output: (batch, cropped height, cropped width, channels).
    """

    def __init__(self, cropping: int | tuple = ((0, 0), (0, 0)), **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = ZeroPadding2D._parse(self, cropping, "cropping")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, h, w, c = input_shape
        (top, bottom), (left, right) = self.cropping
        sizes = (None if h is None else h - top - bottom, None if w is None else w - left - right)
        if any(size is not None and size <= 0 for size in sizes):
            raise self.error(f"cropping {self.cropping} leaves nothing of input {format_shape(input_shape)}")
        return (n, *sizes, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        (top, bottom), (left, right) = self.cropping
        return x[..., top : x.shape[-2] - bottom, left : x.shape[-1] - right]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class RepeatVector(Layer):
    """Each sample's vector `n` times: (batch, features) -> (batch, n, features), e.g. an LSTM
    encoder's summary fed to every step of a decoder."""

    def __init__(self, n: int, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise self.error(f"n must be a positive int; received n={n!r}")
        self.n = n

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 2, "(batch, features)")
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.unsqueeze(1).expand(-1, self.n, -1)

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorders the axes of each sample: `dims` numbers them from 1 (the batch axis stays first),
    in Keras's channels-last layout; Permute((2, 1)) swaps a sequence's steps and features."""

    def __init__(self, dims: tuple, **kwargs) -> None:
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise self.error(f"dims must be a permutation of 1..{len(dims)}; received dims={dims!r}")
        self.dims = dims

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != len(self.dims) + 1:
            raise self.error(f"dims={self.dims} needs inputs of rank {len(self.dims) + 1}; received {input_shape}")
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return to_channels_first(to_channels_last(x).permute(0, *self.dims))

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}
