"""Activation functions by Keras name, for `activation=` arguments and `Activation` layers."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common import keras_defaults, registry
from cnnkit.common import object_registration as custom_objects
from cnnkit.common.layout import runtime_dim


def linear(x: torch.Tensor) -> torch.Tensor:
    return x


def relu(x: torch.Tensor) -> torch.Tensor:
    return F.relu(x)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(x)


def tanh(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(x)


def softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    # axis -1 is the channels axis, which is dimension 1 of an NCHW tensor.
    return torch.softmax(x, dim=runtime_dim(axis, x.dim()))


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    return F.elu(x, alpha)


def selu(x: torch.Tensor) -> torch.Tensor:
    return F.selu(x)


def softplus(x: torch.Tensor) -> torch.Tensor:
    return F.softplus(x)


def softsign(x: torch.Tensor) -> torch.Tensor:
    return F.softsign(x)


def silu(x: torch.Tensor) -> torch.Tensor:
    return F.silu(x)


def gelu(x: torch.Tensor, approximate: bool = False) -> torch.Tensor:
    return F.gelu(x, approximate="tanh" if approximate else "none")


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.2) -> torch.Tensor:
    return F.leaky_relu(x, negative_slope)


def exponential(x: torch.Tensor) -> torch.Tensor:
    return torch.exp(x)


def relu6(x: torch.Tensor) -> torch.Tensor:
    return F.relu6(x)


def hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Keras 3's: relu6(x + 3) / 6; Keras 2's clip(0.2 x + 0.5, 0, 1) under Keras 2's defaults."""
    if keras_defaults.version() == 2:
        return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)
    return F.hardsigmoid(x)


def hard_silu(x: torch.Tensor) -> torch.Tensor:
    """x * hard_sigmoid(x), MobileNetV3's hard swish."""
    return F.hardswish(x)


def mish(x: torch.Tensor) -> torch.Tensor:
    """x * tanh(softplus(x)) (Misra 2019)."""
    return F.mish(x)


def log_softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    return torch.log_softmax(x, dim=runtime_dim(axis, x.dim()))


for _name, _function in {
    "linear": linear,
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "elu": elu,
    "selu": selu,
    "softplus": softplus,
    "softsign": softsign,
    "swish": silu,
    "silu": silu,
    "gelu": gelu,
    "leaky_relu": leaky_relu,
    "exponential": exponential,
    "relu6": relu6,
    "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu,
    "hard_swish": hard_silu,
    "mish": mish,
    "log_softmax": log_softmax,
}.items():
    registry.register("activation", _function, _name)
swish = silu


def get(identifier: str | Callable | None) -> Callable:
    """An activation function from its Keras name, a callable, or None (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str) and custom_objects.lookup(identifier) is not None:
        identifier = custom_objects.lookup(identifier)  # a user's object named in a saved model
    if isinstance(identifier, str):
        try:
            return registry.table("activation")[identifier.lower()]
        except KeyError:
            known = ", ".join(registry.names("activation"))
            raise ValueError(f"Unknown activation {identifier!r}. Expected one of: {known}, or a callable.") from None
    if callable(identifier):
        return identifier
    raise TypeError(f"activation must be a name or a callable; received {identifier!r}.")


def name_of(function: Callable) -> str:
    """The Keras name of a built-in activation, else the callable's own name."""
    for name, known in registry.table("activation").items():
        if known is function:
            return name
    return getattr(function, "__name__", type(function).__name__)
