"""Keras weight initialisers. Each is called with a Keras-layout shape and returns a tensor.

Layers create weights in Keras's layout through these (so fan-in and fan-out are Keras's, and a
custom `def init(shape, dtype=None)` works as in Keras) and then store them in torch's layout.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from cnnkit.common import object_registration as custom_objects

# The standard deviation of a unit normal truncated at two standard deviations.
_TRUNCATED_STDDEV = 0.87962566103423978


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras's fan-in/fan-out: a kernel (..., in, out) with a receptive field of the leading axes."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    def __call__(self, shape: tuple[int, ...], dtype: torch.dtype | None = None) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}


class Constant(Initializer):
    def __init__(self, value: float = 0.0) -> None:
        self.value = float(value)

    def __call__(self, shape, dtype=None):
        return torch.full(tuple(shape), self.value, dtype=dtype or torch.float32)

    def get_config(self) -> dict:
        return {"value": self.value}


class Zeros(Constant):
    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self) -> dict:
        return {}


class Ones(Constant):
    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self) -> dict:
        return {}


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


_BY_NAME: dict[str, type[Initializer]] = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
    # Keras's short aliases (after the full names, so serialize gives the full ones)
    "uniform": RandomUniform,
    "normal": RandomNormal,
}


def get(identifier: str | dict | Initializer | Callable) -> Callable:
    """An initialiser from its Keras name, a saved {"class_name", "config"}, an Initializer, or
    any `f(shape, dtype=None)`."""
    if isinstance(identifier, str) and custom_objects.lookup(identifier) is not None:
        identifier = custom_objects.lookup(identifier)  # a user's object named in a saved model
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        cls = custom_objects.lookup(name) or _BY_CLASS_NAME.get(name) or _BY_NAME.get(str(name).lower())
        if cls is None:
            raise ValueError(f"Unknown initializer {identifier!r}")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        try:
            return _BY_NAME[identifier.lower()]()
        except KeyError:
            known = ", ".join(sorted(_BY_NAME))
            raise ValueError(f"Unknown initializer {identifier!r}. Expected one of: {known}.") from None
    if callable(identifier):
        return identifier
    raise TypeError(f"An initializer must be a name or a callable; received {identifier!r}.")


def serialize(initializer: Callable) -> str | dict:
    """For a layer's config: the Keras name when the initializer has its defaults, else
    {"class_name", "config"} so its arguments (RandomNormal(stddev=0.5), Constant(3.0)) survive
    to_json, clone_model and saving; a user's function by its name."""
    for name, cls in _BY_NAME.items():
        if type(initializer) is cls:
            if initializer.get_config() == cls().get_config():
                return name
            return {"class_name": cls.__name__, "config": initializer.get_config()}
    return getattr(initializer, "__name__", type(initializer).__name__)


_BY_CLASS_NAME = {cls.__name__: cls for cls in _BY_NAME.values()}
