"""Keras 3's `keras.random`: random tensors on the default device, drawn from torch's generators.

`seed` is None (torch's global generator, set by `torch.manual_seed` or
`cnnkit.utils.set_random_seed`), an int (the same draw every call with that int, as in Keras), or a
SeedGenerator (a stream of its own: reproducible from its seed, different at every call).
"""

from __future__ import annotations

import torch

from cnnkit import session


class SeedGenerator:
    """A seeded stream of random draws, as Keras's `keras.random.SeedGenerator(seed)`."""

    def __init__(self, seed: int | None = None, name: str | None = None, **_backend_arguments) -> None:
        # Without a seed, one is drawn from torch's global generator: repeatable after
        # set_random_seed, and the global generator is not reseeded (torch.seed() would be).
        self.seed = int(seed) if seed is not None else int(torch.randint(0, 2**31 - 1, ()).item())
        self.name = name
        self._generators: dict[str, torch.Generator] = {}

    def generator(self, device: torch.device) -> torch.Generator:
        """This stream's generator for `device` (each device type keeps its own state)."""
        key = str(device)
        if key not in self._generators:
            self._generators[key] = torch.Generator(device=device).manual_seed(self.seed)
        return self._generators[key]


def _draw(seed, device: torch.device) -> torch.Generator | None:
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.generator(device)
    if isinstance(seed, int) and not isinstance(seed, bool):
        return torch.Generator(device=device).manual_seed(seed)
    raise ValueError(f"seed must be None, an int or a SeedGenerator; received seed={seed!r}")


def _dtype(dtype, default=torch.float32) -> torch.dtype:
    if dtype is None:
        return default
    return dtype if isinstance(dtype, torch.dtype) else getattr(torch, str(dtype))


def _shape(shape) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)


def normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype=None, seed=None) -> torch.Tensor:
    device = session.get_device()
    values = torch.randn(_shape(shape), generator=_draw(seed, device), device=device, dtype=_dtype(dtype))
    return values * stddev + mean


def uniform(shape, minval: float = 0.0, maxval: float = 1.0, dtype=None, seed=None) -> torch.Tensor:
    device = session.get_device()
    values = torch.rand(_shape(shape), generator=_draw(seed, device), device=device, dtype=_dtype(dtype))
    return values * (maxval - minval) + minval


def truncated_normal(shape, mean: float = 0.0, stddev: float = 1.0, dtype=None, seed=None) -> torch.Tensor:
    """Normal draws kept within two standard deviations of the mean (redrawn outside), as Keras's."""
    device = session.get_device()
    values = torch.empty(_shape(shape), device=device, dtype=_dtype(dtype))
    torch.nn.init.trunc_normal_(values, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=_draw(seed, device))
    return values * stddev + mean


def randint(shape, minval: int, maxval: int, dtype="int32", seed=None) -> torch.Tensor:
    """Integers in [minval, maxval)."""
    device = session.get_device()
    return torch.randint(
        int(minval), int(maxval), _shape(shape), generator=_draw(seed, device), device=device, dtype=_dtype(dtype)
    )


def shuffle(x, axis: int = 0, seed=None) -> torch.Tensor:
    x = torch.as_tensor(x, device=session.get_device())
    order = torch.randperm(x.shape[axis], generator=_draw(seed, x.device), device=x.device)
    return x.index_select(axis, order)


def dropout(inputs, rate: float, noise_shape=None, seed=None) -> torch.Tensor:
    """Zero each value with probability `rate` and scale the rest by 1 / (1 - rate)."""
    inputs = torch.as_tensor(inputs)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1); received rate={rate!r}")
    shape = tuple(inputs.shape) if noise_shape is None else _shape(noise_shape)
    keep = torch.rand(shape, generator=_draw(seed, inputs.device), device=inputs.device) >= rate
    return inputs * keep / (1.0 - rate)
