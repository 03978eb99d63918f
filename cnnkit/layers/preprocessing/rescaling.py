"""Rescaling: x * scale + offset, per channel if given lists."""

from __future__ import annotations

import numpy as np
import torch

from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer


class Rescaling(Layer):
    """`x * scale + offset`, e.g. `Rescaling(1/255)` to bring pixels into [0, 1]. Shape unchanged.
    `scale` and `offset` are numbers, or (as in Keras 3) lists with one value per channel (the
    last axis), e.g. ImageNet's per-channel normalization."""

    def __init__(self, scale, offset=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = self._value(scale, "scale"), self._value(offset, "offset")
        widths = {len(v) for v in (self.scale, self.offset) if isinstance(v, list)}
        if len(widths) > 1:
            raise self.error(f"scale and offset have different lengths: {len(self.scale)} and {len(self.offset)}")

    def _value(self, value, name: str) -> float | list[float]:
        try:
            return [float(v) for v in value] if isinstance(value, (list, tuple, np.ndarray)) else float(value)
        except (TypeError, ValueError):
            raise self.error(f"{name} must be a number or a list of numbers; received {name}={value!r}") from None

    def build(self, input_shape: Shape) -> None:
        # Per-channel values live in buffers (not saved: the config holds them) shaped for the
        # channels axis at run time, so they follow the layer to its device.
        channels_axis = (-1, 1, 1) if len(input_shape) == 4 else (-1,)
        for name in ("scale", "offset"):
            value = getattr(self, name)
            if isinstance(value, list):
                if len(value) != input_shape[-1]:
                    raise self.error(f"has {len(value)} {name} values for inputs with {input_shape[-1]} channels")
                value = torch.tensor(value).view(channels_axis)
                self.register_buffer(f"{name}_per_channel", value, persistent=False)
        self.built = True

    def call(self, x: torch.Tensor) -> torch.Tensor:
        scale = getattr(self, "scale_per_channel", self.scale)
        return x * scale + getattr(self, "offset_per_channel", self.offset)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
