"""PReLU: a leaky ReLU whose negative slope is learned."""

from __future__ import annotations

import torch

from cnnkit import constraints, initializers, regularizers
from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer


class PReLU(Layer):
    """A leaky ReLU whose negative slopes are learned (He et al. 2015): `x` for x >= 0,
    `alpha * x` below. Keras's alpha has the input's shape (without the batch axis), with size 1
    along `shared_axes` (e.g. shared_axes=[1, 2] learns one slope per channel of an image);
    alpha starts at zeros."""

    def __init__(
        self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        shared = [] if shared_axes is None else shared_axes
        shared = list(shared) if isinstance(shared, (list, tuple)) else [shared]
        if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in shared):
            raise self.error(f"shared_axes must be axes >= 1 (not the batch); received shared_axes={shared_axes!r}")
        self.shared_axes = shared
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if any(a >= len(input_shape) for a in self.shared_axes):
            raise self.error(f"shared_axes={self.shared_axes} do not fit input {tuple(input_shape)}")
        if any(d is None for n, d in enumerate(input_shape) if n and n not in self.shared_axes):
            raise self.error(f"input {tuple(input_shape)} has an unknown axis: share it (shared_axes)")
        return tuple(input_shape)

    def build(self, input_shape: Shape) -> None:
        shape = tuple(1 if n in self.shared_axes else d for n, d in enumerate(input_shape) if n)
        # Stored as torch's layout broadcasts it: images' (H, W, C) slopes as (C, H, W).
        order = (2, 0, 1) if len(shape) == 3 else None
        self.add_weight(
            "alpha",
            shape,
            self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
            torch_order=order,
        )

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, x, self.alpha * x)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes or None,
        }
