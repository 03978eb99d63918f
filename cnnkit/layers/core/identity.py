"""Identity: returns its input."""

from __future__ import annotations

import torch

from cnnkit.layers.layer import Layer


class Identity(Layer):
    """Returns its input unchanged (a placeholder, e.g. where a head was removed)."""

    supports_masking = True

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x
