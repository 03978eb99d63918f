"""AdditiveAttention (Bahdanau-style), as Keras's: [query, value] or [query, value, key]."""

from __future__ import annotations

import torch

from cnnkit.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """As Attention, with scores = sum(scale * tanh(query + key)) over the features: `scale` a
    learnt vector (dim,), glorot-uniform initialised, with use_scale=True (Keras's default)."""

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._check(input_shape)
        if self.use_scale:
            self.add_weight("scale", (input_shape[0][-1],), "glorot_uniform")

    def scores(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        summed = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        return (self.scale * summed).sum(dim=-1) if self.use_scale else summed.sum(dim=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("score_mode")
        return config
