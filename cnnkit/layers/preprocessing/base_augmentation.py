"""What the random augmentation layers share: they change images only while training, from factors drawn per image."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer

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
