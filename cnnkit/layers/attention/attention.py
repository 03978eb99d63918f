"""Attention (Luong-style dot-product attention), as Keras's: [query, value] or [query, value, key]."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.core.masking import get_mask
from cnnkit.layers.layer import Layer


def causal_mask(query_steps: int, key_steps: int, device) -> torch.Tensor:
    """(1, Tq, Tv): step i of the query sees the value's steps up to i."""
    return torch.ones(query_steps, key_steps, dtype=torch.bool, device=device).tril().unsqueeze(0)


def masked_softmax(scores: torch.Tensor, keep: torch.Tensor | None) -> torch.Tensor:
    """softmax over the last axis after lowering the scores of masked-out positions by 1e9, as Keras."""
    if keep is not None:
        scores = torch.where(keep, scores, scores - 1.0e9)
    return torch.softmax(scores, dim=-1)


class Attention(Layer):
    """Inputs [query (batch, Tq, dim), value (batch, Tv, dim)] and optionally key (batch, Tv, dim),
    the value by default. scores = query . key (score_mode "dot", times a learnt scalar with
    use_scale) or a learnt scalar times sum(tanh(query + key)) ("concat"); the output is
    softmax(scores) . value, (batch, Tq, dim). A padding mask on the value (Embedding(mask_zero=True)
    or mask=[query_mask, value_mask]) keeps the softmax off padded steps; use_causal_mask=True lets
    step i see steps up to i; return_attention_scores=True also returns softmax(scores)."""

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise self.error(f"score_mode must be 'dot' or 'concat'; received score_mode={score_mode!r}")
        if not 0 <= dropout < 1:
            raise self.error(f"dropout must be in [0, 1); received dropout={dropout!r}")
        self.use_scale, self.score_mode, self.dropout = bool(use_scale), score_mode, float(dropout)

    def _check(self, input_shape) -> list[Shape]:
        if not isinstance(input_shape, list) or len(input_shape) not in (2, 3):
            raise self.error("expects a list [query, value] or [query, value, key]")
        if any(len(shape) != 3 for shape in input_shape):
            shown = ", ".join(format_shape(shape) for shape in input_shape)
            raise self.error(f"expects inputs of shape (batch, steps, features); received {shown}")
        return input_shape

    def compute_output_shape(self, input_shape):
        query, value = self._check(input_shape)[:2]
        return (query[0], query[1], value[2])

    def call_output_shape(self, input_shape, keywords: dict):
        output = self.compute_output_shape(input_shape)
        if not keywords.get("return_attention_scores"):
            return output
        return [output, (input_shape[0][0], input_shape[0][1], input_shape[1][1])]

    def build(self, input_shape) -> None:
        self._check(input_shape)
        if self.use_scale:
            self.add_weight("scale", (), "ones")
        if self.score_mode == "concat":
            self.add_weight("concat_score_weight", (), "ones")

    def scores(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        if self.score_mode == "dot":
            scores = query @ key.transpose(-2, -1)
            return scores * self.scale if self.use_scale else scores
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)
        summed = self.scale * summed if self.use_scale else summed
        return self.concat_score_weight * torch.tanh(summed).sum(dim=-1)

    def forward(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        if not self.built:
            self.build_for([tuple(t.shape) for t in inputs], inputs[0].device)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask, value_mask = mask if mask is not None else (get_mask(query), get_mask(value))
        scores = self.scores(query, key)
        keep = None if value_mask is None else value_mask.bool().unsqueeze(-2)
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1], scores.device)
            keep = causal if keep is None else keep & causal
        weights = masked_softmax(scores, keep)
        dropped = F.dropout(weights, self.dropout, training=self.training) if self.dropout else weights
        output = dropped @ value
        if query_mask is not None:
            output = torch.where(query_mask.bool().unsqueeze(-1), output, torch.zeros_like(output))
        return [output, weights] if return_attention_scores else output

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout}  # fmt: skip
