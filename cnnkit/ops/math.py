"""keras.ops.math's Fourier transforms. Keras passes complex values as a (real, imaginary) pair of
float tensors, in and out; torch.fft computes on a complex tensor made of the pair."""

from __future__ import annotations

import torch

from cnnkit.common import symbolic
from cnnkit.ops.numpy import _t


def _complex(x) -> torch.Tensor:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"keras.ops.math: expected a (real, imaginary) pair of tensors; received {type(x).__name__}")
    real, imaginary = _t(x[0]).float(), _t(x[1]).float()
    if real.shape != imaginary.shape:
        raise ValueError(
            f"keras.ops.math: the real and imaginary parts must have one shape; received {tuple(real.shape)} "
            f"and {tuple(imaginary.shape)}"
        )
    return torch.complex(real, imaginary)


def _pair(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return z.real.contiguous(), z.imag.contiguous()


def fft(x):
    """The discrete Fourier transform along the last axis."""
    return _pair(torch.fft.fft(_complex(x), dim=-1))


def fft2(x):
    """The discrete Fourier transform along the last two axes."""
    return _pair(torch.fft.fft2(_complex(x), dim=(-2, -1)))


def ifft2(x):
    """The inverse of fft2."""
    return _pair(torch.fft.ifft2(_complex(x), dim=(-2, -1)))


def rfft(x, fft_length=None):
    """The Fourier transform of real values along the last axis: fft_length // 2 + 1 frequencies."""
    return _pair(torch.fft.rfft(_t(x).float(), n=fft_length, dim=-1))


def irfft(x, fft_length=None):
    """The inverse of rfft: real values (fft_length of them, by default 2 * (frequencies - 1))."""
    return torch.fft.irfft(_complex(x), n=fft_length, dim=-1)


__all__ = symbolic.dispatch_module(globals(), __name__)
