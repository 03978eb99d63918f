"""The first of keras.ops: conversions, shapes, creation, arithmetic, elementwise functions,
comparisons, reductions and the common activations and losses (see cnnkit/ops/__init__.py)."""

from __future__ import annotations

import builtins

import numpy as np
import torch
import torch.nn.functional as F

from cnnkit.common import symbolic
from cnnkit.variables import Variable

_DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
}


def _dtype(dtype):
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or str(dtype)
    if name not in _DTYPES:
        raise ValueError(f"ops: unknown dtype {dtype!r}; expected one of {', '.join(_DTYPES)}")
    return _DTYPES[name]


def convert_to_tensor(x, dtype=None, sparse=None) -> torch.Tensor:
    """A tensor from a tensor, an array or numbers; float64 NumPy data becomes float32, as Keras's floatx."""
    if isinstance(x, torch.Tensor):
        return x if dtype is None else x.to(_dtype(dtype))
    array = np.asarray(x)
    if array.dtype == np.float64 and dtype is None:
        array = array.astype(np.float32)
    tensor = torch.as_tensor(array)
    return tensor if dtype is None else tensor.to(_dtype(dtype))


def convert_to_numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _t(x) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def _pair(a, b) -> tuple[torch.Tensor, torch.Tensor]:
    """Two operands on one device: a number or array given with a GPU tensor joins it there."""
    a, b = _t(a), _t(b)
    if a.device != b.device:
        if a.device.type == "cpu":
            a = a.to(b.device)
        else:
            b = b.to(a.device)
    return a, b


def _axes(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


# ---- types and shapes ----------------------------------------------------------------------------
def cast(x, dtype) -> torch.Tensor:
    return _t(x).to(_dtype(dtype))


def shape(x) -> tuple[int, ...]:
    """The shape; a symbolic tensor's holds None where unknown (its batch axis); a layer's weight's
    in Keras's layout (a Conv2D kernel's (kh, kw, in, out)), as Keras code expects."""
    if isinstance(x, symbolic.SymbolicValue):
        return tuple(x.shape)
    return x.keras_shape if isinstance(x, Variable) else tuple(_t(x).shape)


def ndim(x) -> int:
    return len(x.shape) if isinstance(x, symbolic.SymbolicValue) else _t(x).dim()


def stop_gradient(x) -> torch.Tensor:
    return _t(x).detach()


def reshape(x, newshape) -> torch.Tensor:
    return _t(x).reshape(newshape)


def transpose(x, axes=None) -> torch.Tensor:
    x = _t(x)
    return x.permute(*(axes if axes is not None else reversed(range(x.dim()))))


def expand_dims(x, axis) -> torch.Tensor:
    return _t(x).unsqueeze(axis)


def squeeze(x, axis=None) -> torch.Tensor:
    return _t(x).squeeze() if axis is None else _t(x).squeeze(axis)


def concatenate(xs, axis=0) -> torch.Tensor:
    return torch.cat([_t(x) for x in xs], dim=axis)


def stack(xs, axis=0) -> torch.Tensor:
    return torch.stack([_t(x) for x in xs], dim=axis)


def tile(x, repeats) -> torch.Tensor:
    return _t(x).tile(tuple(repeats) if isinstance(repeats, (list, tuple)) else (repeats,))


def repeat(x, repeats, axis=None) -> torch.Tensor:
    return torch.repeat_interleave(_t(x), repeats, dim=axis)


def split(x, indices_or_sections, axis=0) -> list[torch.Tensor]:
    x = _t(x)
    if isinstance(indices_or_sections, int):
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return list(torch.tensor_split(x, list(indices_or_sections), dim=axis))


# ---- creation ----------------------------------------------------------------------------------
def zeros(shape, dtype="float32") -> torch.Tensor:
    return torch.zeros(shape, dtype=_dtype(dtype))


def ones(shape, dtype="float32") -> torch.Tensor:
    return torch.ones(shape, dtype=_dtype(dtype))


def zeros_like(x, dtype=None) -> torch.Tensor:
    return torch.zeros_like(_t(x), dtype=_dtype(dtype))


def ones_like(x, dtype=None) -> torch.Tensor:
    return torch.ones_like(_t(x), dtype=_dtype(dtype))


def full(shape, fill_value, dtype=None) -> torch.Tensor:
    return torch.full(shape if isinstance(shape, (list, tuple)) else (shape,), fill_value, dtype=_dtype(dtype))


def arange(start, stop=None, step=1, dtype=None) -> torch.Tensor:
    if stop is None:
        start, stop = 0, start
    return torch.arange(start, stop, step, dtype=_dtype(dtype))


def eye(N, M=None, k=0, dtype="float32") -> torch.Tensor:
    """Ones on the k-th diagonal of an N x M matrix."""
    columns = N if M is None else M
    matrix = torch.zeros(N, columns, dtype=_dtype(dtype))
    rows = torch.arange(builtins.max(0, -k), builtins.min(N, columns - k))
    matrix[rows, rows + k] = 1
    return matrix


def one_hot(x, num_classes, axis=-1, dtype="float32") -> torch.Tensor:
    encoded = F.one_hot(_t(x).long(), num_classes).to(_dtype(dtype))
    return encoded if axis == -1 else encoded.movedim(-1, axis)


# ---- arithmetic --------------------------------------------------------------------------------
def add(a, b):
    return torch.add(*_pair(a, b))


def subtract(a, b):
    return torch.sub(*_pair(a, b))


def multiply(a, b):
    return torch.mul(*_pair(a, b))


def divide(a, b):
    return torch.div(*_pair(a, b))


def divide_no_nan(a, b):
    a, b = _pair(a, b)
    return torch.where(b == 0, torch.zeros_like(a / torch.where(b == 0, torch.ones_like(b), b)), a / b)


def power(a, b):
    return torch.pow(*_pair(a, b))


def maximum(a, b):
    return torch.maximum(*_pair(a, b))


def minimum(a, b):
    return torch.minimum(*_pair(a, b))


def matmul(a, b):
    return torch.matmul(*_pair(a, b))


def dot(a, b):
    a, b = _pair(a, b)
    return a * b if a.dim() == 0 or b.dim() == 0 else torch.matmul(a, b)


def einsum(subscripts, *operands):
    return torch.einsum(subscripts, *[_t(o) for o in operands])


def clip(x, x_min, x_max):
    return torch.clamp(_t(x), x_min, x_max)


def where(condition, x1=None, x2=None):
    condition = _t(condition).bool()
    if x1 is None and x2 is None:
        return torch.nonzero(condition, as_tuple=True)
    x1, x2 = _pair(x1, x2)
    return torch.where(condition.to(x1.device), x1, x2)


def _unary(function):
    def apply(x):
        return function(_t(x))

    apply.__name__ = function.__name__
    apply.__doc__ = f"`{function.__name__}` elementwise (torch.{function.__name__})."
    return apply


abs = absolute = _unary(torch.abs)  # noqa: A001  (Keras's names shadow the builtins here)
negative = _unary(torch.neg)
square = _unary(torch.square)
sqrt = _unary(torch.sqrt)
rsqrt = _unary(torch.rsqrt)
exp = _unary(torch.exp)
log = _unary(torch.log)
log1p = _unary(torch.log1p)
sign = _unary(torch.sign)
floor = _unary(torch.floor)
ceil = _unary(torch.ceil)
sin = _unary(torch.sin)
cos = _unary(torch.cos)
tanh = _unary(torch.tanh)
sigmoid = _unary(torch.sigmoid)
relu = _unary(torch.relu)
softplus = _unary(F.softplus)
silu = swish = _unary(F.silu)
gelu = _unary(F.gelu)
isnan = _unary(torch.isnan)
isfinite = _unary(torch.isfinite)
logical_not = _unary(torch.logical_not)


def round(x, decimals=0):  # noqa: A001
    return torch.round(_t(x), decimals=decimals)


def equal(a, b):
    return torch.eq(*_pair(a, b))


def not_equal(a, b):
    return torch.ne(*_pair(a, b))


def greater(a, b):
    return torch.gt(*_pair(a, b))


def greater_equal(a, b):
    return torch.ge(*_pair(a, b))


def less(a, b):
    return torch.lt(*_pair(a, b))


def less_equal(a, b):
    return torch.le(*_pair(a, b))


def logical_and(a, b):
    return torch.logical_and(*_pair(a, b))


def logical_or(a, b):
    return torch.logical_or(*_pair(a, b))


# ---- reductions --------------------------------------------------------------------------------
def _reduce(function, x, axis, keepdims):
    x = _t(x)
    if axis is None:
        result = function(x)
        return result.reshape((1,) * x.dim()) if keepdims else result
    return function(x, dim=_axes(axis), keepdim=keepdims)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(torch.sum, x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    x = _t(x)
    return _reduce(torch.mean, x if x.is_floating_point() else x.float(), axis, keepdims)


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    result = _reduce(torch.amax, x, axis, keepdims)
    return result if initial is None else torch.clamp(result, min=initial)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    result = _reduce(torch.amin, x, axis, keepdims)
    return result if initial is None else torch.clamp(result, max=initial)


def prod(x, axis=None, keepdims=False, dtype=None):
    x = _t(x) if dtype is None else _t(x).to(_dtype(dtype))
    if axis is None:
        result = torch.prod(x)
        return result.reshape((1,) * x.dim()) if keepdims else result
    for dim in sorted((a % x.dim() for a in (axis if isinstance(axis, (list, tuple)) else [axis])), reverse=True):
        x = torch.prod(x, dim=dim, keepdim=keepdims)  # torch reduces one axis at a time; the last first
    return x


def var(x, axis=None, keepdims=False):
    """The population variance (NumPy's, ddof=0), as Keras's."""
    return _reduce(lambda t, **k: torch.var(t, correction=0, **k), x, axis, keepdims)


def std(x, axis=None, keepdims=False):
    return _reduce(lambda t, **k: torch.std(t, correction=0, **k), x, axis, keepdims)


def _boolean(function):
    def reduce(t, dim=None, keepdim=False):
        return function(t.bool()) if dim is None else function(t.bool(), dim=dim, keepdim=keepdim)

    return reduce


def all(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(_boolean(torch.all), x, axis, keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce(_boolean(torch.any), x, axis, keepdims)


def argmax(x, axis=None, keepdims=False):
    x = _t(x)
    return torch.argmax(x.reshape(-1)) if axis is None else torch.argmax(x, dim=axis, keepdim=keepdims)


def argmin(x, axis=None, keepdims=False):
    x = _t(x)
    return torch.argmin(x.reshape(-1)) if axis is None else torch.argmin(x, dim=axis, keepdim=keepdims)


def logsumexp(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return torch.logsumexp(x.reshape(-1), dim=0)
    return torch.logsumexp(x, dim=_axes(axis), keepdim=keepdims)


# ---- neural-network functions (keras.ops.nn) ---------------------------------------------------
def softmax(x, axis=-1):
    return torch.softmax(_t(x), dim=axis)


def log_softmax(x, axis=-1):
    return torch.log_softmax(_t(x), dim=axis)


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(_t(x), negative_slope)


def elu(x, alpha=1.0):
    return F.elu(_t(x), alpha)


def normalize(x, axis=-1, order=2, epsilon=None):
    return F.normalize(_t(x), p=order, dim=axis, eps=1e-12 if epsilon is None else epsilon)


def binary_crossentropy(target, output, from_logits=False):
    target, output = _pair(target, output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target.to(output.dtype), reduction="none")
    output = output.clamp(1e-7, 1 - 1e-7)
    return -(target * torch.log(output) + (1 - target) * torch.log(1 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _pair(target, output)
    log_probabilities = (
        torch.log_softmax(output, dim=axis)
        if from_logits
        else torch.log((output / output.sum(dim=axis, keepdim=True)).clamp(1e-7, 1 - 1e-7))
    )
    return -(target * log_probabilities).sum(dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _pair(target, output)
    return categorical_crossentropy(one_hot(target, output.shape[axis], axis=axis), output, from_logits, axis)


# ---- symbolic tensors ----------------------------------------------------------------------------
# Every op above, called on a functional graph's KerasTensors (`ops.mean(ops.square(z))`), records a
# graph node instead of computing (common/symbolic.py); on real tensors it runs as written.
__all__ = symbolic.dispatch_module(globals(), __name__, {"convert_to_numpy", "shape", "ndim"})
