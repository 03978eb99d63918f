"""Keras 2's `keras.backend` functions on tensors (`K.mean`, `K.square`, `K.batch_dot`, ...), with
Keras 2's names and arguments, for the losses, metrics and Lambda functions older programs write:

    def euclidean_distance(vects):
        x, y = vects
        return K.sqrt(K.maximum(K.sum(K.square(x - y), axis=1, keepdims=True), K.epsilon()))

`cnnkit.backend` re-exports them. Axes are those of the tensor given: a Lambda's function and an
operation on symbolic tensors see images channels-last, as in Keras. Called on a functional
graph's KerasTensors (`vae.add_loss(K.mean(...))`), each records a graph node
(common/symbolic.py).
"""

from __future__ import annotations

import builtins

import numpy as np
import torch
import torch.nn.functional as F

from cnnkit import ops, random
from cnnkit.common import symbolic

EPSILON = 1e-7


def _t(x) -> torch.Tensor:
    return ops.convert_to_tensor(x) if not isinstance(x, torch.Tensor) else x


# ---- reductions (Keras 2 calls the axis argument `axis` and keeps `keepdims`) ----------------------
mean, sum, max, min, prod = ops.mean, ops.sum, ops.max, ops.min, ops.prod  # noqa: A001
std, var, any, all, logsumexp = ops.std, ops.var, ops.any, ops.all, ops.logsumexp  # noqa: A001


def argmax(x, axis=-1):
    return ops.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return ops.argmin(x, axis=axis)


def cumsum(x, axis=0):
    return torch.cumsum(_t(x), dim=axis)


# ---- elementwise ---------------------------------------------------------------------------------
square, sqrt, exp, log, abs, sign = ops.square, ops.sqrt, ops.exp, ops.log, ops.abs, ops.sign  # noqa: A001
round, sin, cos, tanh, sigmoid = ops.round, ops.sin, ops.cos, ops.tanh, ops.sigmoid  # noqa: A001
maximum, minimum, equal, not_equal = ops.maximum, ops.minimum, ops.equal, ops.not_equal
greater, greater_equal, less, less_equal = ops.greater, ops.greater_equal, ops.less, ops.less_equal
cast, stop_gradient, zeros_like, ones_like = ops.cast, ops.stop_gradient, ops.zeros_like, ops.ones_like


def pow(x, a):  # noqa: A001  (Keras 2's name)
    return _t(x) ** a


def clip(x, min_value, max_value):
    return torch.clamp(_t(x), min_value, max_value)


def softmax(x, axis=-1):
    return torch.softmax(_t(x), dim=axis)


def softplus(x):
    return F.softplus(_t(x))


def softsign(x):
    return F.softsign(_t(x))


def elu(x, alpha=1.0):
    return F.elu(_t(x), alpha)


def hard_sigmoid(x):
    """Keras 2's hard sigmoid: clip(0.2 x + 0.5, 0, 1)."""
    return torch.clamp(0.2 * _t(x) + 0.5, 0.0, 1.0)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2's relu: `alpha` is the slope below `threshold`, `max_value` caps the output."""
    x = _t(x)
    out = torch.where(x >= threshold, x, alpha * (x - threshold)) if alpha or threshold else F.relu(x)
    return out if max_value is None else torch.clamp(out, max=max_value)


def l2_normalize(x, axis=None):
    x = _t(x)
    dims = tuple(range(x.dim())) if axis is None else axis
    norm = torch.sqrt(torch.clamp((x * x).sum(dim=dims, keepdim=True), min=1e-12))
    return x / norm


def switch(condition, then_expression, else_expression):
    condition = _t(condition)
    then_value, else_value = _t(then_expression), _t(else_expression)
    return torch.where(condition.bool(), then_value, else_value)


# ---- shapes --------------------------------------------------------------------------------------
def shape(x):
    """The shape: a tuple where it is known. Keras 2 gave a tensor, and on a graph tensor with an
    unknown size (the batch, an image of any size) so does this: the sizes when the graph runs
    (deep_dream.py divides by `K.prod(K.cast(K.shape(x), "float32"))`). `K.shape(x)[0]` reads the
    batch size from either."""
    if isinstance(x, symbolic.SymbolicValue):
        known = tuple(x.shape)
        return symbolic.record(_runtime_shape, (x,), {}) if None in known else known
    return tuple(_t(x).shape)


def _runtime_shape(x) -> torch.Tensor:
    return torch.tensor(tuple(x.shape), dtype=torch.int64)


def ndim(x) -> int:
    return len(x.shape) if isinstance(x, symbolic.SymbolicValue) else _t(x).dim()


def dtype(x) -> str:
    return str(_t(x).dtype).replace("torch.", "") if not isinstance(x, symbolic.SymbolicValue) else x.dtype


def count_params(x) -> int:
    return int(np.prod(tuple(x.shape)))


def reshape(x, shape):
    return _t(x).reshape(tuple(-1 if d is None else d for d in shape))


def flatten(x):
    return _t(x).reshape(-1)


def batch_flatten(x):
    x = _t(x)
    return x.reshape(x.shape[0], -1)


def concatenate(tensors, axis=-1):
    return torch.cat([_t(t) for t in tensors], dim=axis)


def stack(x, axis=0):
    return torch.stack([_t(t) for t in x], dim=axis)


def expand_dims(x, axis=-1):
    return _t(x).unsqueeze(axis)


def squeeze(x, axis):
    return _t(x).squeeze(axis)


def permute_dimensions(x, pattern):
    return _t(x).permute(*pattern)


def transpose(x):
    return _t(x).transpose(0, 1) if _t(x).dim() == 2 else _t(x).permute(*reversed(range(_t(x).dim())))


def repeat_elements(x, rep, axis):
    return torch.repeat_interleave(_t(x), rep, dim=axis)


def repeat(x, n):
    """(samples, dim) repeated n times: (samples, n, dim)."""
    return _t(x).unsqueeze(1).expand(-1, n, -1)


def tile(x, n):
    return _t(x).repeat(*([n] if isinstance(n, int) else n))


def reverse(x, axes):
    return torch.flip(_t(x), dims=[axes] if isinstance(axes, int) else list(axes))


def gather(reference, indices):
    return _t(reference)[_t(indices).long()]


def one_hot(indices, num_classes):
    return F.one_hot(_t(indices).long(), num_classes).float()


# ---- products ------------------------------------------------------------------------------------
def dot(x, y):
    """Keras 2's dot: a matrix product over x's last axis and y's second-to-last (its last for 1-D)."""
    x, y = _t(x), _t(y)
    if y.dim() <= 2:
        return torch.matmul(x, y)
    return torch.tensordot(x, y, dims=([x.dim() - 1], [y.dim() - 2]))


def batch_dot(x, y, axes=None):
    """Per-sample products of x and y over `axes` (x's and y's, or one for both), as Keras 2's
    batch_dot: (batch, ..) results whose rank is x's + y's - 2 - 2 * summed axes, at least 2."""
    x, y = _t(x), _t(y)
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x.dim() - 1, y.dim() - 2 if y.dim() > 2 else y.dim() - 1)
    a, b = (axis % t.dim() for axis, t in zip(axes, (x, y)))
    x_free = [d for d in range(1, x.dim()) if d != a]
    y_free = [d for d in range(1, y.dim()) if d != b]
    x_letters, y_letters = "bcdefg"[: len(x_free)], "hijklm"[: len(y_free)]
    x_spec = "a" + "".join("z" if d == a else x_letters[x_free.index(d)] for d in range(1, x.dim()))
    y_spec = "a" + "".join("z" if d == b else y_letters[y_free.index(d)] for d in range(1, y.dim()))
    result = torch.einsum(f"{x_spec},{y_spec}->a{x_letters}{y_letters}", x, y)
    return result.unsqueeze(1) if result.dim() == 1 else result


# ---- losses as Keras 2's backend has them (target, output) ---------------------------------------
categorical_crossentropy = ops.categorical_crossentropy
sparse_categorical_crossentropy = ops.sparse_categorical_crossentropy
binary_crossentropy = ops.binary_crossentropy


# ---- values and random draws ---------------------------------------------------------------------
def zeros(shape, dtype=None, name=None):
    return ops.zeros(shape, dtype or "float32")


def ones(shape, dtype=None, name=None):
    return ops.ones(shape, dtype or "float32")


def eye(size, dtype=None, name=None):
    return ops.eye(size, dtype=dtype or "float32")


def arange(start, stop=None, step=1, dtype="int32"):
    return ops.arange(start, stop, step, dtype=dtype)


def constant(value, dtype=None, shape=None, name=None):
    tensor = ops.convert_to_tensor(value, dtype or "float32")
    return tensor if shape is None else tensor.expand(*shape).clone()


def variable(value, dtype=None, name=None, constraint=None):
    """A tensor holding `value` that K.get_value / K.set_value read and write."""
    return ops.convert_to_tensor(np.array(value), dtype or "float32").clone()


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return random.normal(_concrete(shape), mean=mean, stddev=stddev, seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return random.uniform(_concrete(shape), minval=minval, maxval=maxval, seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return random.truncated_normal(_concrete(shape), mean=mean, stddev=stddev, seed=seed)


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    return (random.uniform(_concrete(shape), seed=seed) < p).float()


# ---- connectionist temporal classification (Keras 2's OCR and speech examples) -------------------
def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """CTC loss per sample, (samples, 1), as Keras 2 computes it: `y_pred` holds softmax
    probabilities (samples, time, classes) with the blank as the last class, `y_true` the label
    ids (samples, max_label_length), the lengths (samples, 1). TensorFlow's ctc_loss takes
    log(y_pred + epsilon) as logits, so they are normalized again before torch's ctc_loss."""
    probabilities = _t(y_pred)
    log_probs = torch.log_softmax(torch.log(probabilities + EPSILON), dim=-1).permute(
        1, 0, 2
    )  # (time, samples, classes)
    loss = F.ctc_loss(
        log_probs,
        _t(y_true).long(),
        _t(input_length).reshape(-1).long(),
        _t(label_length).reshape(-1).long(),
        blank=probabilities.shape[-1] - 1,
        reduction="none",
    )
    return loss.unsqueeze(1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Best-path decoding, as Keras 2's K.ctc_decode(greedy=True): ([labels (samples, time), -1
    after each sequence], log-probabilities (samples, 1)). Beam search is not implemented."""
    if not greedy:
        raise ValueError("K.ctc_decode: only greedy=True (best-path decoding) is implemented in cnnkit")
    probabilities = _t(y_pred)
    lengths = _t(input_length).reshape(-1).long()
    best = probabilities.argmax(dim=-1)
    decoded = torch.full_like(best, -1)
    blank = probabilities.shape[-1] - 1
    for sample in range(best.shape[0]):
        path = best[sample, : lengths[sample]]
        keep = torch.ones_like(path, dtype=torch.bool)
        keep[1:] = path[1:] != path[:-1]  # merge repeats, then drop blanks
        labels = path[keep & (path != blank)]
        decoded[sample, : labels.numel()] = labels
    top = probabilities.max(dim=-1).values.clamp_min(EPSILON).log()
    mask = torch.arange(best.shape[1], device=best.device)[None, :] < lengths[:, None]
    return [decoded], -(top * mask).sum(dim=1, keepdim=True)


def _concrete(shape) -> tuple:
    return tuple(builtins.int(d) for d in shape)


_NOT_RECORDED = {"shape", "ndim", "dtype", "count_params", "zeros", "ones", "eye", "arange", "constant", "variable"}
_NOT_RECORDED |= {"random_normal", "random_uniform", "truncated_normal", "random_binomial"}
_DEFINED_HERE = symbolic.dispatch_module(globals(), __name__, _NOT_RECORDED)
_TAKEN_FROM_OPS = [
    name for name, value in globals().items() if getattr(value, "__module__", "").startswith("cnnkit.ops")
]
__all__ = sorted({*_DEFINED_HERE, *(name for name in _TAKEN_FROM_OPS if not name.startswith("_"))})
