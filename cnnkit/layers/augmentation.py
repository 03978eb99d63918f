"""Data augmentation layers: random image transformations applied in training only.

Each layer transforms a whole batch at once on the batch's device (one random draw per image,
then one batched operation: flips with `torch.where`, geometric transforms as one affine
`grid_sample`), so augmentation costs a few kernels per batch, not a Python loop over images.
In evaluation and prediction they pass images through (RandomCrop takes the centre).

Input shape: (batch, height, width, channels), images NCHW inside. Factors follow Keras: a
float f means the range (-f, f); a pair (lower, upper) is used as given.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape
from cnnkit.layers.base import Layer

_PADDING_MODES = {"reflect": "reflection", "nearest": "border", "constant": "zeros"}


def _range(factor, name: str, owner: Layer, symmetric: bool = True) -> tuple[float, float]:
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        low, high = (-abs(factor), abs(factor)) if symmetric else (1 - abs(factor), 1 + abs(factor))
    elif isinstance(factor, (tuple, list)) and len(factor) == 2 and all(isinstance(f, (int, float)) for f in factor):
        low, high = float(factor[0]), float(factor[1])
    else:
        raise owner.error(f"{name} must be a number or a (lower, upper) pair; received {name}={factor!r}")
    if low > high:
        raise owner.error(f"{name} must have lower <= upper; received {name}={factor!r}")
    return float(low), float(high)


def _uniform(n: int, low: float, high: float, like: torch.Tensor) -> torch.Tensor:
    return torch.empty(n, device=like.device, dtype=like.dtype).uniform_(low, high)


class _ImageAugmentation(Layer):
    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        return tuple(input_shape)


class _AffineAugmentation(_ImageAugmentation):
    """Shared by rotation, translation and zoom: a per-image affine map sampled with grid_sample."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if fill_mode not in _PADDING_MODES:
            raise self.error(f"fill_mode must be one of {sorted(_PADDING_MODES)}; received fill_mode={fill_mode!r}")
        if interpolation not in ("bilinear", "nearest"):
            raise self.error(f"interpolation must be 'bilinear' or 'nearest'; received {interpolation!r}")
        if fill_value != 0.0 and fill_mode == "constant":
            raise self.error("only fill_value=0.0 is supported with fill_mode='constant'")
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def matrices(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 2, 3) maps from output to input coordinates, in grid_sample's [-1, 1] units."""
        raise NotImplementedError

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        grid = F.affine_grid(self.matrices(x), list(x.shape), align_corners=False)
        return F.grid_sample(
            x, grid, mode=self.interpolation, padding_mode=_PADDING_MODES[self.fill_mode], align_corners=False
        )

    def get_config(self) -> dict:
        config = {"fill_mode": self.fill_mode, "interpolation": self.interpolation, "fill_value": self.fill_value}
        return {**super().get_config(), **config}


class RandomFlip(_ImageAugmentation):
    """Flips each image left-right and/or up-down with probability 1/2.
    mode: "horizontal", "vertical" or "horizontal_and_vertical" (the default)."""

    def __init__(self, mode: str = "horizontal_and_vertical", seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise self.error(f"mode must be horizontal, vertical or horizontal_and_vertical; received mode={mode!r}")
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.mode = mode

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        for axis, wanted in ((3, "horizontal"), (2, "vertical")):
            if wanted in self.mode:
                flip = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < 0.5
                x = torch.where(flip, x.flip(axis), x)
        return x

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}


class RandomRotation(_AffineAugmentation):
    """Rotates each image by a random angle: `factor` is a fraction of a full turn (0.1 = up to 36 degrees)."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self.low, self.high = _range(factor, "factor", self)

    def matrices(self, x: torch.Tensor) -> torch.Tensor:
        angle = _uniform(x.shape[0], self.low, self.high, x) * 2 * math.pi
        h, w = x.shape[-2:]
        cos, sin = torch.cos(angle), torch.sin(angle)
        zero = torch.zeros_like(angle)
        # grid units differ by axis (width spans w pixels, height h): scale to keep the rotation rigid
        return torch.stack([torch.stack([cos, -sin * h / w, zero], 1), torch.stack([sin * w / h, cos, zero], 1)], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


class RandomTranslation(_AffineAugmentation):
    """Shifts each image by a random fraction of its height and width."""

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = _range(height_factor, "height_factor", self)
        self.width_range = _range(width_factor, "width_factor", self)

    def matrices(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        dy = _uniform(n, *self.height_range, x) * 2  # a fraction of the size is twice that in [-1, 1] units
        dx = _uniform(n, *self.width_range, x) * 2
        one, zero = torch.ones_like(dx), torch.zeros_like(dx)
        return torch.stack([torch.stack([one, zero, -dx], 1), torch.stack([zero, one, -dy], 1)], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomZoom(_AffineAugmentation):
    """Zooms each image by a random amount: a positive factor zooms out (the image shrinks), a
    negative one zooms in. `width_factor=None` uses the height's zoom for the width too."""

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = _range(height_factor, "height_factor", self)
        self.width_range = None if width_factor is None else _range(width_factor, "width_factor", self)

    def matrices(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        zy = 1 + _uniform(n, *self.height_range, x)
        zx = zy if self.width_range is None else 1 + _uniform(n, *self.width_range, x)
        zero = torch.zeros_like(zy)
        return torch.stack([torch.stack([zx, zero, zero], 1), torch.stack([zero, zy, zero], 1)], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomCrop(_ImageAugmentation):
    """Crops a random `height` x `width` window from each image in training (the centre otherwise).
    Output shape: (batch, height, width, channels)."""

    def __init__(self, height: int, width: int, seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.height, self.width = height, width

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        n, h, w, c = super().compute_output_shape(input_shape)
        if (h is not None and h < self.height) or (w is not None and w < self.width):
            raise self.error(f"cannot crop {self.height}x{self.width} from images of {h}x{w}")
        return (n, self.height, self.width, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        if not self.training:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            return x[:, :, top : top + self.height, left : left + self.width]
        # one gather: each image's window starts at its own random corner
        top = torch.randint(0, h - self.height + 1, (n, 1, 1), device=x.device)
        left = torch.randint(0, w - self.width + 1, (n, 1, 1), device=x.device)
        rows = (top + torch.arange(self.height, device=x.device).view(1, -1, 1)).expand(n, self.height, self.width)
        cols = (left + torch.arange(self.width, device=x.device).view(1, 1, -1)).expand(n, self.height, self.width)
        flat = (rows * w + cols).reshape(n, 1, -1).expand(n, x.shape[1], -1)
        return x.reshape(n, x.shape[1], h * w).gather(2, flat).reshape(n, x.shape[1], self.height, self.width)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomContrast(_ImageAugmentation):
    """Scales each image's contrast by a random factor in [1 - lower, 1 + upper] around its mean
    (per channel), then clips to `value_range` (Keras 3's default (0, 255))."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        lower, upper = (factor, factor) if isinstance(factor, (int, float)) else tuple(factor)
        if not 0 <= lower <= 1 or upper < 0:
            raise self.error(f"factor must be in [0, 1] (or a pair of them); received factor={factor!r}")
        self.factor, self.value_range = factor, tuple(value_range)
        self.low, self.high = 1 - lower, 1 + upper

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        strength = _uniform(x.shape[0], self.low, self.high, x).view(-1, 1, 1, 1)
        mean = x.mean(dim=(2, 3), keepdim=True)
        return ((x - mean) * strength + mean).clamp(*self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": list(self.value_range)}


class RandomBrightness(_ImageAugmentation):
    """Adds to each image a random brightness shift, the same for all its pixels and channels:
    a number drawn in [lower, upper] times the width of `value_range`, then clips to that range
    (Keras 3's definition). `factor` in [-1, 1]: f means [-f, f], a pair (lower, upper) itself."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        pair = factor if isinstance(factor, (tuple, list)) else None
        number = isinstance(factor, (int, float)) and not isinstance(factor, bool)
        if (pair is None and not (number and -1 <= factor <= 1)) or (pair is not None and len(pair) != 2):
            raise self.error(f"factor must be a number in [-1, 1] or a pair of them; received factor={factor!r}")
        self.low, self.high = sorted(pair) if pair is not None else (-abs(factor), abs(factor))
        if self.low > 1 or self.high < -1:
            raise self.error(f"factor must be a number in [-1, 1] or a pair of them; received factor={factor!r}")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise self.error(f"value_range must be (low, high); received value_range={value_range!r}")
        self.factor, self.value_range = factor, tuple(sorted(value_range))

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        span = self.value_range[1] - self.value_range[0]
        shift = _uniform(x.shape[0], self.low, self.high, x).view(-1, 1, 1, 1) * span
        return (x + shift).clamp(*self.value_range)

    def get_config(self) -> dict:
        factor = list(self.factor) if isinstance(self.factor, (tuple, list)) else self.factor
        return {**super().get_config(), "factor": factor, "value_range": list(self.value_range)}
