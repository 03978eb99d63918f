"""Attention layers (Keras's layers/attention): Attention, AdditiveAttention, MultiHeadAttention."""

from cnnkit.layers.attention.additive_attention import AdditiveAttention
from cnnkit.layers.attention.attention import Attention
from cnnkit.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention"]
