"""The random initializers: normal, truncated normal and uniform draws, variance scaling (Glorot,
He, LeCun) and orthogonal matrices, with Keras's defaults."""

from __future__ import annotations

import math

import torch

from cnnkit.common import registry
from cnnkit.initializers.initializer import Initializer, compute_fans

# The standard deviation of a unit normal truncated at two standard deviations.
_TRUNCATED_STDDEV = 0.87962566103423978


class RandomNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05) -> None:
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return torch.empty(tuple(shape), dtype=dtype or torch.float32).normal_(self.mean, self.stddev)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """Normal values redrawn beyond two standard deviations, as Keras's TruncatedNormal."""

    def __call__(self, shape, dtype=None):
        tensor = torch.empty(tuple(shape), dtype=dtype or torch.float32)
        low, high = self.mean - 2 * self.stddev, self.mean + 2 * self.stddev
        return torch.nn.init.trunc_normal_(tensor, self.mean, self.stddev, low, high)


class RandomUniform(Initializer):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05) -> None:
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        tensor = torch.empty(tuple(shape), dtype=dtype or torch.float32)
        return tensor.uniform_(self.minval, self.maxval)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval}


class VarianceScaling(Initializer):
    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal") -> None:
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive; received scale={scale}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg; received {mode!r}.")
        if distribution not in ("truncated_normal", "untruncated_normal", "normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}.")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(tuple(shape))
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return RandomUniform(-limit, limit)(shape, dtype)
        if self.distribution == "truncated_normal":
            return TruncatedNormal(0.0, math.sqrt(variance) / _TRUNCATED_STDDEV)(shape, dtype)
        return RandomNormal(0.0, math.sqrt(variance))(shape, dtype)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}


class GlorotUniform(VarianceScaling):
    def __init__(self) -> None:
        super().__init__(1.0, "fan_avg", "uniform")


class GlorotNormal(VarianceScaling):
    def __init__(self) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal")


class HeUniform(VarianceScaling):
    def __init__(self) -> None:
        super().__init__(2.0, "fan_in", "uniform")


class HeNormal(VarianceScaling):
    def __init__(self) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal")


class LecunUniform(VarianceScaling):
    def __init__(self) -> None:
        super().__init__(1.0, "fan_in", "uniform")


class LecunNormal(VarianceScaling):
    def __init__(self) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal")


class Orthogonal(Initializer):
    """An orthogonal matrix over (product of leading axes, last axis), times `gain`."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, dtype=None):
        rows = math.prod(shape[:-1]) if len(shape) > 1 else 1
        matrix = torch.empty(rows, shape[-1], dtype=dtype or torch.float32)
        return torch.nn.init.orthogonal_(matrix, self.gain).reshape(tuple(shape))

    def get_config(self) -> dict:
        return {"gain": self.gain}


for _cls, _name in (
    (RandomNormal, "random_normal"),
    (RandomUniform, "random_uniform"),
    (TruncatedNormal, "truncated_normal"),
    (VarianceScaling, "variance_scaling"),
    (GlorotUniform, "glorot_uniform"),
    (GlorotNormal, "glorot_normal"),
    (HeUniform, "he_uniform"),
    (HeNormal, "he_normal"),
    (LecunUniform, "lecun_uniform"),
    (LecunNormal, "lecun_normal"),
    (Orthogonal, "orthogonal"),
    (RandomUniform, "uniform"),  # Keras's short aliases, after the full names, so serialize gives those
    (RandomNormal, "normal"),
):
    registry.register("initializer", _cls, _name, _cls.__name__)
