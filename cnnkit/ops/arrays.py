"""More of keras.ops: indexing, reshaping, sorting and the NumPy functions Keras programs reach for
beyond the first set (broadcast_to, slice, take, flip, roll, pad, tril, top_k, erf, ...)."""

from __future__ import annotations

import builtins

import torch
import torch.nn.functional as F

from cnnkit.common import symbolic
from cnnkit.ops.numpy import _dtype, _pair, _t, convert_to_tensor


# ---- shapes and indexing -------------------------------------------------------------------------
def broadcast_to(x, shape):
    return _t(x).broadcast_to(tuple(shape))


def slice(inputs, start_indices, shape):  # noqa: A001  (Keras's name)
    """The block of `shape` starting at `start_indices` (one start per axis)."""
    x = _t(inputs)
    index = tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))
    return x[index]


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates` (a new tensor)."""
    x, updates = _t(inputs).clone(), _t(updates)
    index = tuple(builtins.slice(int(s), int(s) + n) for s, n in zip(start_indices, updates.shape))
    x[index] = updates.to(x.dtype)
    return x


def take(x, indices, axis=None):
    x, indices = _t(x), _t(indices).long()
    if axis is None:
        return x.reshape(-1)[indices]
    return torch.index_select(x, axis, indices.reshape(-1)).reshape(
        *x.shape[: axis % x.dim()], *indices.shape, *x.shape[axis % x.dim() + 1 :]
    )


def take_along_axis(x, indices, axis=None):
    x, indices = _t(x), _t(indices).long()
    if axis is None:
        return x.reshape(-1)[indices.reshape(-1)]
    return torch.take_along_dim(x, indices, dim=axis)


def scatter(indices, values, shape):
    """A zeros tensor of `shape` with `values` added at `indices` (each row one position)."""
    indices, values = _t(indices).long(), _t(values)
    out = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    out.index_put_(tuple(indices.T), values, accumulate=True)
    return out


def scatter_update(inputs, indices, updates):
    x, indices = _t(inputs).clone(), _t(indices).long()
    x[tuple(indices.T)] = _t(updates).to(x.dtype)
    return x


def flip(x, axis=None):
    x = _t(x)
    return torch.flip(x, dims=tuple(range(x.dim())) if axis is None else _tuple(axis))


def roll(x, shift, axis=None):
    x = _t(x)
    return (
        torch.roll(x, shifts=shift, dims=axis)
        if axis is not None
        else torch.roll(x.reshape(-1), shift).reshape(x.shape)
    )


def pad(x, pad_width, mode="constant", constant_values=None):
    """NumPy's pad: `pad_width` is ((before, after), ...) per axis (or one pair for every axis)."""
    x = _t(x)
    widths = [tuple(pad_width)] * x.dim() if isinstance(pad_width[0], int) else [tuple(p) for p in pad_width]
    amounts = [a for before_after in reversed(widths) for a in before_after]
    torch_mode = {"constant": "constant", "reflect": "reflect", "symmetric": "replicate", "edge": "replicate"}[mode]
    if torch_mode == "constant":
        return F.pad(x, amounts, value=constant_values or 0)
    return F.pad(x.unsqueeze(0), amounts).squeeze(0)


def moveaxis(x, source, destination):
    return torch.movedim(_t(x), source, destination)


def swapaxes(x, axis1, axis2):
    return torch.swapaxes(_t(x), axis1, axis2)


def ravel(x):
    return _t(x).reshape(-1)


def size(x) -> int:
    return _t(x).numel()


def unstack(x, num=None, axis=0):
    return list(torch.unbind(_t(x), dim=axis))


def hstack(xs):
    return torch.hstack([_t(x) for x in xs])


def vstack(xs):
    return torch.vstack([_t(x) for x in xs])


def tril(x, k=0):
    return torch.tril(_t(x), diagonal=k)


def triu(x, k=0):
    return torch.triu(_t(x), diagonal=k)


def diag(x, k=0):
    return torch.diag(_t(x), diagonal=k)


def trace(x, offset=0, axis1=0, axis2=1):
    return torch.diagonal(_t(x), offset=offset, dim1=axis1, dim2=axis2).sum(-1)


def meshgrid(*xs, indexing="xy"):
    return list(torch.meshgrid(*[_t(x) for x in xs], indexing=indexing))


def linspace(start, stop, num=50, endpoint=True, dtype=None):
    if endpoint:
        return torch.linspace(start, stop, num, dtype=_dtype(dtype) if dtype else None)
    return torch.linspace(start, stop, num + 1, dtype=_dtype(dtype) if dtype else None)[:-1]


def full_like(x, fill_value, dtype=None):
    return torch.full_like(_t(x), fill_value, dtype=_dtype(dtype) if dtype else None)


def identity(n, dtype="float32"):
    return torch.eye(n, dtype=_dtype(dtype))


def outer(x1, x2):
    return torch.outer(_t(x1).reshape(-1), _t(x2).reshape(-1))


def tensordot(x1, x2, axes=2):
    return torch.tensordot(*_pair(x1, x2), dims=axes)


def count_nonzero(x, axis=None):
    return torch.count_nonzero(_t(x), dim=axis)


def nonzero(x):
    return tuple(torch.nonzero(_t(x), as_tuple=True))


# ---- sorting ---------------------------------------------------------------------------------------
def sort(x, axis=-1):
    return torch.sort(_t(x), dim=axis).values


def argsort(x, axis=-1):
    return torch.argsort(_t(x), dim=axis)


def top_k(x, k, sorted=True):  # noqa: A002  (Keras's argument name)
    """(values, indices) of the k largest along the last axis."""
    found = torch.topk(_t(x), k, dim=-1, sorted=sorted)
    return found.values, found.indices


def in_top_k(targets, predictions, k):
    predictions, targets = _t(predictions), _t(targets).long()
    top = torch.topk(predictions, k, dim=-1).indices
    return (top == targets.unsqueeze(-1)).any(dim=-1)


# ---- elementwise and reductions --------------------------------------------------------------------
def _unary(function, name):
    def apply(x):
        return function(_t(x))

    apply.__name__ = name
    return apply


erf, erfinv, expm1 = _unary(torch.erf, "erf"), _unary(torch.erfinv, "erfinv"), _unary(torch.expm1, "expm1")
log2, log10, tan = _unary(torch.log2, "log2"), _unary(torch.log10, "log10"), _unary(torch.tan, "tan")
arctan, arcsin, arccos = _unary(torch.atan, "arctan"), _unary(torch.asin, "arcsin"), _unary(torch.acos, "arccos")
sinh, cosh, trunc = _unary(torch.sinh, "sinh"), _unary(torch.cosh, "cosh"), _unary(torch.trunc, "trunc")
isinf, reciprocal = _unary(torch.isinf, "isinf"), _unary(torch.reciprocal, "reciprocal")
fabs, cbrt = _unary(torch.abs, "fabs"), _unary(lambda x: torch.sign(x) * torch.abs(x) ** (1 / 3), "cbrt")


def arctan2(x1, x2):
    return torch.atan2(*_pair(x1, x2))


def mod(x1, x2):
    return torch.remainder(*_pair(x1, x2))


def floor_divide(x1, x2):
    return torch.floor_divide(*_pair(x1, x2))


def true_divide(x1, x2):
    x1, x2 = _pair(x1, x2)
    return x1 / x2


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return torch.nan_to_num(_t(x), nan=nan, posinf=posinf, neginf=neginf)


def amax(x, axis=None, keepdims=False):
    x = _t(x)
    return torch.amax(x, dim=_tuple(axis) if axis is not None else tuple(range(x.dim())), keepdim=keepdims)


def amin(x, axis=None, keepdims=False):
    x = _t(x)
    return torch.amin(x, dim=_tuple(axis) if axis is not None else tuple(range(x.dim())), keepdim=keepdims)


def average(x, axis=None, weights=None):
    x = _t(x)
    if weights is None:
        return x.mean() if axis is None else x.mean(dim=axis)
    weights = convert_to_tensor(weights, dtype=x.dtype)
    if axis is None:
        return (x * weights).sum() / weights.sum()
    shape = [1] * x.dim()
    shape[axis] = -1
    return (x * weights.reshape(shape)).sum(dim=axis) / weights.sum()


def cumsum(x, axis=None):
    x = _t(x)
    return torch.cumsum(x.reshape(-1) if axis is None else x, dim=0 if axis is None else axis)


def cumprod(x, axis=None):
    x = _t(x)
    return torch.cumprod(x.reshape(-1) if axis is None else x, dim=0 if axis is None else axis)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002  (NumPy's argument name)
    return torch.linalg.norm(_t(x), ord=ord, dim=axis, keepdim=keepdims)


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over `axes`, as keras.ops.moments."""
    x = _t(x)
    mean = x.mean(dim=_tuple(axes), keepdim=True)
    variance = ((x - mean) ** 2).mean(dim=_tuple(axes), keepdim=True)
    if not keepdims:
        mean, variance = mean.squeeze(_tuple(axes)), variance.squeeze(_tuple(axes))
    return mean, variance


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    data, ids = _t(data), _t(segment_ids).long()
    count = int(ids.max()) + 1 if num_segments is None else num_segments
    out = torch.zeros((count, *data.shape[1:]), dtype=data.dtype, device=data.device)
    return out.index_add_(0, ids, data)


def _tuple(axis) -> tuple:
    return (axis,) if isinstance(axis, int) else tuple(axis)


def is_tensor(x) -> bool:
    return isinstance(x, (torch.Tensor, symbolic.SymbolicValue))


def dtype(x) -> str:
    return x.dtype if isinstance(x, symbolic.SymbolicValue) else str(_t(x).dtype).replace("torch.", "")


__all__ = symbolic.dispatch_module(globals(), __name__, {"size", "is_tensor", "dtype", "linspace", "identity"})
