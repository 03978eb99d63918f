"""keras.ops.nn: activations and window operations beyond the first set (relu6, selu, glu, ...,
max_pool, average_pool, conv), on tensors as Keras writes them: images channels-last."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common import symbolic
from cnnkit.common.same_padding import same_pads
from cnnkit.ops.numpy import _t


def relu6(x):
    return F.relu6(_t(x))


def selu(x):
    return F.selu(_t(x))


def celu(x, alpha=1.0):
    return F.celu(_t(x), alpha)


def softsign(x):
    return F.softsign(_t(x))


def hard_sigmoid(x):
    return F.hardsigmoid(_t(x))


def hard_silu(x):
    return F.hardswish(_t(x))


hard_swish = hard_silu


def log_sigmoid(x):
    return F.logsigmoid(_t(x))


def glu(x, axis=-1):
    return F.glu(_t(x), dim=axis)


def multi_hot(inputs, num_classes, axis=-1, dtype="float32"):
    """1 at every class index present in each row of `inputs` (batch, indices)."""
    indices = _t(inputs).long()
    out = torch.zeros((*indices.shape[:-1], num_classes), device=indices.device)
    return out.scatter_(-1, indices, 1.0)


def _channels_first(x: torch.Tensor, data_format) -> torch.Tensor:
    return x if data_format == "channels_first" else x.movedim(-1, 1)


def _channels_last(x: torch.Tensor, data_format) -> torch.Tensor:
    return x if data_format == "channels_first" else x.movedim(1, -1)


def _window(x, pool_size, strides, padding, data_format, pooling):
    x = _channels_first(_t(x), data_format)
    rank = x.dim() - 2
    size = (pool_size,) * rank if isinstance(pool_size, int) else tuple(pool_size)
    step = size if strides is None else ((strides,) * rank if isinstance(strides, int) else tuple(strides))
    if padding == "same":
        pads = [a for n, k, s in reversed(list(zip(x.shape[2:], size, step))) for a in same_pads(n, k, s)]
        x = F.pad(x, pads, value=float("-inf") if pooling == "max" else 0.0)
    function = {1: (F.max_pool1d, F.avg_pool1d), 2: (F.max_pool2d, F.avg_pool2d), 3: (F.max_pool3d, F.avg_pool3d)}
    chosen = function[rank][0 if pooling == "max" else 1]
    return _channels_last(chosen(x, size, step), data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _window(inputs, pool_size, strides, padding, data_format, "max")


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """The mean of each window; with 'same', padded positions count as zeros (at the edges only)."""
    return _window(inputs, pool_size, strides, padding, data_format, "average")


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """A convolution with a Keras-layout kernel (*window, in, out) on channels-last inputs."""
    x = _channels_first(_t(inputs), data_format)
    kernel = _t(kernel)
    rank = x.dim() - 2
    weight = kernel.permute(rank + 1, rank, *range(rank))
    function = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[rank]
    if padding == "same":
        step = (strides,) * rank if isinstance(strides, int) else tuple(strides)
        dilation = (dilation_rate,) * rank if isinstance(dilation_rate, int) else tuple(dilation_rate)
        windows = reversed(list(zip(x.shape[2:], kernel.shape[:rank], step, dilation)))
        x = F.pad(x, [a for n, k, s, d in windows for a in same_pads(n, k, s, d)])
    return _channels_last(function(x, weight, None, strides, 0, dilation_rate), data_format)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = _t(x)
    shape = [1] * x.dim()
    shape[axis] = -1

    def shaped(value):
        return None if value is None else _t(value).reshape(shape)

    out = (x - shaped(mean)) / torch.sqrt(shaped(variance) + epsilon)
    out = out * shaped(scale) if scale is not None else out
    return out + shaped(offset) if offset is not None else out


__all__ = symbolic.dispatch_module(globals(), __name__)
