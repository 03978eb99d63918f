"""Masks for padded sequences, carried as Keras 3 carries them on torch: an attribute
`_keras_mask` (batch, timesteps) of booleans on the tensor itself, so they pass through
Sequential and functional models with no extra plumbing. Embedding(mask_zero=True) and Masking
make one; recurrent layers honour it; layers with `supports_masking` pass it on."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer

MASK_ATTRIBUTE = "_keras_mask"


def get_mask(x) -> torch.Tensor | None:
    return getattr(x, MASK_ATTRIBUTE, None) if isinstance(x, torch.Tensor) else None


def set_mask(x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is not None:
        setattr(x, MASK_ATTRIBUTE, mask)
    return x


class Masking(Layer):
    """Marks the timesteps whose every feature equals `mask_value` as padding (and zeros them)."""

    def __init__(self, mask_value: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise self.error(f"expected input (batch, timesteps, features); received shape {tuple(input_shape)}")
        return tuple(input_shape)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        keep = (x != self.mask_value).any(-1)  # (batch, timesteps)
        return set_mask(x * keep[..., None].to(x.dtype), keep)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
