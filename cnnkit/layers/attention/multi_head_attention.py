"""MultiHeadAttention (Vaswani et al. 2017), as Keras's: `layer(query, value)` or `layer(query,
value, key)`, each (batch, steps, features)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from cnnkit import initializers
from cnnkit.common.layout import Shape, format_shape, to_channels_first
from cnnkit.layers.attention.attention import causal_mask, masked_softmax
from cnnkit.layers.layer import Layer


class MultiHeadAttention(Layer):
    """`num_heads` heads, each projecting query and key to `key_dim` features and value to
    `value_dim` (key_dim by default), attending with softmax(q . k / sqrt(key_dim)), their outputs
    projected back to the query's features (or `output_shape`). Called as layer(query, value[, key])
    with attention_mask= (batch, Tq, Tv) booleans, use_causal_mask=, return_attention_scores=
    (the (batch, heads, Tq, Tv) weights). The weights follow Keras's layout: query/key/value
    kernels (features, heads, dim) with biases (heads, dim), the output kernel (heads, value_dim,
    features) and bias (features,). Attention over the steps axis (attention_axes=None) only."""

    positional_keywords = ("value", "key")  # Keras calls it layer(query, value, key)

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape=None,
        attention_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        for name, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise self.error(f"{name} must be a positive int; received {name}={value!r}")
        if attention_axes is not None and tuple(attention_axes if isinstance(attention_axes, (list, tuple))
                                                else [attention_axes]) not in ((1,), (-2,)):  # fmt: skip
            raise self.error(
                f"only attention over the steps axis is supported; received attention_axes={attention_axes!r}"
            )
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = key_dim if value_dim is None else value_dim
        self.dropout, self.use_bias = float(dropout), bool(use_bias)
        self.output_features = output_shape[-1] if isinstance(output_shape, (list, tuple)) else output_shape
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.call_shapes: dict[str, Shape] = {}  # value's and key's shapes, for build

    def note_call_shapes(self, shapes: dict[str, Shape]) -> None:
        """The shapes of the call's value and key, which build needs (it is given the query's)."""
        self.call_shapes = dict(shapes)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise self.error(f"expects a query of shape (batch, steps, features); received {format_shape(input_shape)}")
        return (input_shape[0], input_shape[1], self.output_features or input_shape[-1])

    def call_output_shape(self, input_shape: Shape, keywords: dict):
        shape = self.compute_output_shape(input_shape)
        if not keywords.get("return_attention_scores"):
            return shape
        value_steps = self.call_shapes.get("value", input_shape)[1]
        return [shape, (input_shape[0], self.num_heads, input_shape[1], value_steps)]

    def _projection(self, name: str, features: int, heads_dim: int) -> None:
        self.add_weight(f"{name}_kernel", (features, self.num_heads, heads_dim), self.kernel_initializer)
        if self.use_bias:
            self.add_weight(f"{name}_bias", (self.num_heads, heads_dim), self.bias_initializer)
        else:
            setattr(self, f"{name}_bias", None)

    def build(self, input_shape: Shape) -> None:
        value = self.call_shapes.get("value", input_shape)
        key = self.call_shapes.get("key", value)
        self._projection("query", input_shape[-1], self.key_dim)
        self._projection("key", key[-1], self.key_dim)
        self._projection("value", value[-1], self.value_dim)
        features = self.output_features or input_shape[-1]
        self.add_weight("output_kernel", (self.num_heads, self.value_dim, features), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("output_bias", (features,), self.bias_initializer)
        else:
            self.output_bias = None

    def _project(self, x: torch.Tensor, name: str) -> torch.Tensor:
        out = torch.einsum("btf,fhd->bthd", x, getattr(self, f"{name}_kernel"))
        bias = getattr(self, f"{name}_bias")
        return out if bias is None else out + bias

    def forward(
        self,
        query,
        value=None,
        key=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
        query_mask=None,
        value_mask=None,
        key_mask=None,
    ):
        value = query if value is None else value
        key = value if key is None else key
        if not self.built:
            self.note_call_shapes({"value": tuple(value.shape), "key": tuple(key.shape)})
            self.build_for(tuple(query.shape), query.device)
        q = self._project(query, "query") / math.sqrt(self.key_dim)
        k, v = self._project(key, "key"), self._project(value, "value")
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k)
        keep = (
            None
            if attention_mask is None
            else torch.as_tensor(attention_mask, device=scores.device).bool().unsqueeze(1)
        )
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1], scores.device).unsqueeze(0)
            keep = causal if keep is None else keep & causal
        weights = masked_softmax(scores, keep)
        dropped = F.dropout(weights, self.dropout, training=self.training) if self.dropout else weights
        attended = torch.einsum("bhqk,bkhd->bqhd", dropped, v)
        output = torch.einsum("bqhd,hdf->bqf", attended, self.output_kernel)
        output = output if self.output_bias is None else output + self.output_bias
        # The scores (batch, heads, Tq, Tv) are a rank-4 tensor, which runs channels-first inside cnnkit.
        return [output, to_channels_first(weights)] if return_attention_scores else output

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": self.output_features,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }
