"""Core layers: Dense, Activation, Identity, Dropout, Rescaling, and the noise layers."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from cnnkit import activations, constraints, initializers, regularizers
from cnnkit.common.layout import Shape
from cnnkit.layers.base import Layer

FUSABLE_ACTIVATIONS = ("softmax", "sigmoid")


def set_activation(layer: Layer, activation) -> None:
    """`layer.activation` from a Keras name or callable; a softmax or sigmoid is also the layer's
    `output_activation`, which a cross-entropy loss can fuse (see Layer)."""
    layer.activation = activations.get(activation)
    layer.activation_name = activations.name_of(layer.activation)
    if layer.activation_name in FUSABLE_ACTIVATIONS:
        layer.output_activation = layer.activation_name


def set_weight_arguments(
    layer: Layer,
    activation,
    use_bias,
    kernel_initializer,
    bias_initializer,
    kernel_regularizer,
    bias_regularizer,
    kernel_constraint=None,
    bias_constraint=None,
) -> None:
    """What Dense and the convolutions take alike: the activation (a softmax or sigmoid one a
    cross-entropy loss can fuse, see Layer), the bias switch, and the kernel's and bias's
    initializers, regularizers and constraints, each resolved from Keras's names."""
    set_activation(layer, activation)
    layer.use_bias = bool(use_bias)
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


def weight_arguments_config(layer: Layer) -> dict:
    """set_weight_arguments' arguments as a saved config holds them."""
    return {
        "activation": layer.activation_name,
        "use_bias": layer.use_bias,
        "kernel_initializer": initializers.name_of(layer.kernel_initializer),
        "bias_initializer": initializers.name_of(layer.bias_initializer),
        "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
        "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
        "kernel_constraint": constraints.serialize(layer.kernel_constraint),
        "bias_constraint": constraints.serialize(layer.bias_constraint),
    }


class Dense(Layer):
    """A fully connected layer: `activation(x @ kernel + bias)` over the last (channels) axis.

    Input shape: (..., input_dim). Output shape: (..., units).
    Keras defaults: glorot_uniform kernel, zero bias. The kernel is stored as torch's (units,
    input_dim); `get_weights()` returns Keras's (input_dim, units).
    """

    supports_masking = True

    def __init__(
        self,
        units: int,
        activation: str | Callable | None = None,
        use_bias: bool = True,
        kernel_initializer: str | Callable = "glorot_uniform",
        bias_initializer: str | Callable = "zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise self.error(f"units must be a positive int; received units={units!r}")
        self.units = units
        set_weight_arguments(
            self,
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            kernel_constraint,
            bias_constraint,
        )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) < 2:
            raise self.error(f"expected input of rank >= 2 (batch, features); received {input_shape}")
        return (*input_shape[:-1], self.units)

    def build(self, input_shape: Shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise self.error("the last axis of the input must be known to build the kernel")
        self.add_weight("kernel", (input_dim, self.units), self.kernel_initializer, torch_order=(1, 0))
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)
        else:
            self.bias = None

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:  # channels sit in dimension 1 of NCHW: apply over them in place
            return F.linear(x.movedim(1, -1), self.kernel, self.bias).movedim(-1, 1)
        return F.linear(x, self.kernel, self.bias)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, **weight_arguments_config(self)}


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


class Identity(Layer):
    """Returns its input unchanged (a placeholder, e.g. where a head was removed)."""

    supports_masking = True

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x


class Dropout(Layer):
    """Zeroes a fraction `rate` of inputs during training and scales the rest by 1/(1 - rate).

    In evaluation and prediction it passes inputs through. Shape unchanged.
    """

    supports_masking = True

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise self.error(f"rate must be a number in [0, 1); received rate={rate!r}")
        if noise_shape is not None or seed is not None:
            raise self.error(
                "noise_shape and seed are not supported; seed everything with cnnkit.utils.set_random_seed instead"
            )
        self.rate = float(rate)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout(x, self.rate, self.training)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class Rescaling(Layer):
    """`x * scale + offset`, e.g. `Rescaling(1/255)` to bring pixels into [0, 1]. Shape unchanged.
    `scale` and `offset` are numbers, or (as in Keras 3) lists with one value per channel (the
    last axis), e.g. ImageNet's per-channel normalization."""

    def __init__(self, scale, offset=0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = self._value(scale, "scale"), self._value(offset, "offset")
        widths = {len(v) for v in (self.scale, self.offset) if isinstance(v, list)}
        if len(widths) > 1:
            raise self.error(f"scale and offset have different lengths: {len(self.scale)} and {len(self.offset)}")

    def _value(self, value, name: str) -> float | list[float]:
        try:
            return [float(v) for v in value] if isinstance(value, (list, tuple, np.ndarray)) else float(value)
        except (TypeError, ValueError):
            raise self.error(f"{name} must be a number or a list of numbers; received {name}={value!r}") from None

    def build(self, input_shape: Shape) -> None:
        # Per-channel values live in buffers (not saved: the config holds them) shaped for the
        # channels axis at run time, so they follow the layer to its device.
        channels_axis = (-1, 1, 1) if len(input_shape) == 4 else (-1,)
        for name in ("scale", "offset"):
            value = getattr(self, name)
            if isinstance(value, list):
                if len(value) != input_shape[-1]:
                    raise self.error(f"has {len(value)} {name} values for inputs with {input_shape[-1]} channels")
                value = torch.tensor(value).view(channels_axis)
                self.register_buffer(f"{name}_per_channel", value, persistent=False)
        self.built = True

    def call(self, x: torch.Tensor) -> torch.Tensor:
        scale = getattr(self, "scale_per_channel", self.scale)
        return x * scale + getattr(self, "offset_per_channel", self.offset)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class ActivityRegularization(Layer):
    """Passes its input through, adding `l1 * sum(|x|) + l2 * sum(x ** 2)` (divided by the batch
    size) to the loss of each training and evaluation step, as Keras's layer does."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs) -> None:
        kwargs.pop("activity_regularizer", None)  # a saved config holds it; l1 and l2 say the same
        super().__init__(activity_regularizer=regularizers.L1L2(l1, l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def get_config(self) -> dict:
        config = {**super().get_config(), "l1": self.l1, "l2": self.l2}
        del config["activity_regularizer"]
        return config


class _SpatialDropout(Layer):
    """Dropout of whole channels: in training each channel of each sample is zeroed everywhere
    with probability `rate` (the rest scaled by 1/(1 - rate)). Output shape: the input's."""

    RANK, LAYOUT = 4, "(batch, height, width, channels)"

    def __init__(self, rate: float, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise self.error(f"rate must be a number in [0, 1); received rate={rate!r}")
        self.rate = float(rate)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, self.RANK, self.LAYOUT)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class SpatialDropout1D(_SpatialDropout):
    """Whole channels of a sequence (batch, steps, channels), at every step together."""

    RANK, LAYOUT = 3, "(batch, steps, channels)"

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout1d(x.transpose(1, 2), self.rate, self.training).transpose(1, 2)


class SpatialDropout2D(_SpatialDropout):
    """Whole feature maps of an image (batch, height, width, channels)."""

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout2d(x, self.rate, self.training)


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` in training only (a
    regulariser). Shape unchanged."""

    supports_masking = True

    def __init__(self, stddev: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(stddev, (int, float)) or stddev < 0:
            raise self.error(f"stddev must be a number >= 0; received stddev={stddev!r}")
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.stddev = float(stddev)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.stddev == 0:
            return x
        return x + self.stddev * torch.randn_like(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev}


class _RateNoise(Layer):
    """Noise whose strength is a drop `rate` in [0, 1), in training only. Shape unchanged."""

    supports_masking = True

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate < 1:
            raise self.error(f"rate must be a number in [0, 1); received rate={rate!r}")
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.rate = float(rate)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class GaussianDropout(_RateNoise):
    """Multiplies by Gaussian noise of mean 1 and standard deviation sqrt(rate / (1 - rate)): the
    same variance as dropout at `rate`, without zeros (Srivastava et al. 2014, section 10)."""

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate == 0:
            return x
        return x * (1.0 + math.sqrt(self.rate / (1.0 - self.rate)) * torch.randn_like(x))


class AlphaDropout(_RateNoise):
    """Dropout for self-normalising (SELU) networks (Klambauer et al. 2017): dropped values are set
    to SELU's negative saturation and the result is scaled and shifted so that mean and variance
    stay what they were."""

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.alpha_dropout(x, self.rate, self.training) if self.rate else x


# Keras 2 imported these from keras.layers.core too (`from keras.layers.core import Dense, Flatten`).
from cnnkit.layers.reshaping import Flatten, Reshape  # noqa: E402, F401
