"""keras.ops.linalg: inverse, determinant, solve, Cholesky, QR, SVD and norms on the last two axes."""

from __future__ import annotations

import torch

from cnnkit.common import symbolic
from cnnkit.ops.numpy import _t


def inv(x):
    return torch.linalg.inv(_t(x))


def det(x):
    return torch.linalg.det(_t(x))


def solve(a, b):
    return torch.linalg.solve(_t(a), _t(b))


def cholesky(x):
    return torch.linalg.cholesky(_t(x))


def qr(x, mode="reduced"):
    return torch.linalg.qr(_t(x), mode=mode)


def svd(x, full_matrices=True, compute_uv=True):
    if not compute_uv:
        return torch.linalg.svdvals(_t(x))
    return torch.linalg.svd(_t(x), full_matrices=full_matrices)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002  (NumPy's argument name)
    return torch.linalg.norm(_t(x), ord=ord, dim=axis, keepdim=keepdims)


__all__ = symbolic.dispatch_module(globals(), __name__)
