"""Activation: any Keras activation as a layer."""

from __future__ import annotations

from collections.abc import Callable

import torch

from cnnkit.layers.arguments import set_activation
from cnnkit.layers.layer import Layer


class Activation(Layer):
    """Applies an activation function by name (`'relu'`) or callable. Shape unchanged."""

    supports_masking = True

    def __init__(self, activation: str | Callable, **kwargs) -> None:
        super().__init__(**kwargs)
        set_activation(self, activation)

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.activation_name}
