"""GroupNormalization (Wu & He 2018)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer
from cnnkit.layers.normalization.batch_normalization import (
    build_scale_and_shift,
    channels_in_dim_1,
    scale_and_shift_config,
    set_scale_and_shift,
)


class GroupNormalization(Layer):
    """Splits the channels into `groups` and normalises each sample's group (over its channels
    and every position) to mean 0 and variance 1, then scales by gamma and shifts by beta per
    channel. groups=1 is layer normalisation over all of a sample, groups=channels instance
    normalisation. Keras's defaults: groups 32, epsilon 1e-3; channels on the last axis.
    Computed by torch's fused `group_norm`."""

    supports_masking = True

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str | Callable = "zeros",
        gamma_initializer: str | Callable = "ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        positive_int(groups, "groups", self)
        if epsilon <= 0:
            raise self.error(f"epsilon must be positive; received epsilon={epsilon!r}")
        self.groups, self.axis, self.epsilon = groups, axis, float(epsilon)
        set_scale_and_shift(
            self,
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rank = len(input_shape)
        if rank < 2 or rank > 4:
            raise self.error(f"expected input of rank 2 to 4, channels last; received {tuple(input_shape)}")
        if not isinstance(self.axis, int) or self.axis % rank != rank - 1:
            raise self.error(f"only the channels axis (axis=-1) is supported; received axis={self.axis!r}")
        channels = input_shape[-1]
        if channels is None or channels % self.groups:
            raise self.error(f"the {channels} channels must split evenly into groups={self.groups}")
        return tuple(input_shape)

    def build(self, input_shape: Shape) -> None:
        build_scale_and_shift(self, input_shape[-1])

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return channels_in_dim_1(lambda x: F.group_norm(x, self.groups, self.gamma, self.beta, self.epsilon), x)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            **scale_and_shift_config(self),
        }
