"""Embedding: integer token ids (batch, timesteps) -> vectors (batch, timesteps, output_dim)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import constraints, initializers, regularizers
from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape
from cnnkit.layers.core.masking import set_mask
from cnnkit.layers.layer import Layer


class Embedding(Layer):
    """Keras's Embedding: a trainable (input_dim, output_dim) table, initialised uniformly in
    [-0.05, 0.05]. `mask_zero=True` makes id 0 padding: a mask marks the other ids for the
    recurrent layers after it (so the vocabulary needs input_dim = largest id + 1 as usual).
    Float inputs (what fit makes of NumPy arrays) are read as whole-number ids."""

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: str | Callable = "uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero: bool = False,
        input_length: int | None = None,
        **kwargs,
    ) -> None:
        if input_length is not None and "input_shape" not in kwargs:  # Keras 2's way to give the shape
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        positive_int(input_dim, "input_dim", self)
        positive_int(output_dim, "output_dim", self)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        # Ids of any shape, as in Keras: (batch, timesteps) in a model, a plain range of positions
        # (keras.io's patch embeddings add `Embedding(n, d)(ops.arange(n))`) inside a user's layer.
        return (*input_shape, self.output_dim)

    def build(self, input_shape: Shape) -> None:
        self.add_weight(
            "embeddings",
            (self.input_dim, self.output_dim),
            self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )

    def call(self, x: torch.Tensor) -> torch.Tensor:
        ids = x if not torch.is_floating_point(x) else x.round()
        ids = ids.long()
        try:
            vectors = F.embedding(ids, self.embeddings)
        except IndexError:
            raise self.error(f"ids must be in [0, {self.input_dim}) (input_dim={self.input_dim})") from None
        return set_mask(vectors, ids != 0) if self.mask_zero else vectors

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }
