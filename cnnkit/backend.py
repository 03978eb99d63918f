"""Keras's `keras.backend`: the session (device, layer names, clear_session, image_data_format,
floatx, epsilon; cnnkit/session.py), Keras 2's get_value / set_value / eval / int_shape, its math
on tensors (`K.mean`, `K.square`, `K.batch_dot`, ...; cnnkit/backend_ops.py), and `K.function`."""

from __future__ import annotations

import numpy as np
import torch

from cnnkit.backend_ops import *  # noqa: F403  (Keras 2's K.* math, listed in backend_ops)
from cnnkit.backend_ops import __all__ as _math_names
from cnnkit.common.layout import api_shape, to_channels_last
from cnnkit.session import backend as backend
from cnnkit.session import clear_session as clear_session
from cnnkit.session import epsilon as epsilon
from cnnkit.session import floatx as floatx
from cnnkit.session import get_device as get_device
from cnnkit.session import image_data_format as image_data_format
from cnnkit.session import set_device as set_device
from cnnkit.session import set_image_data_format as set_image_data_format
from cnnkit.session import to_snake_case as to_snake_case
from cnnkit.session import unique_name as unique_name


def get_value(x):
    """A tensor's or a learning rate's value as NumPy or a Python number (Keras 2's K.get_value)."""
    if isinstance(x, torch.Tensor):
        value = x.detach().cpu().numpy()
        return value.item() if value.ndim == 0 else value
    if isinstance(x, (int, float)):
        return float(x)  # a learning rate too (a float that can also be assigned)
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


eval = get_value  # noqa: A001  (Keras 2's name)


def set_value(x, value) -> None:
    """Set a variable in place (Keras 2's K.set_value): `K.set_value(model.optimizer.lr, 1e-4)`, or
    a weight tensor to an array of its shape."""
    if hasattr(x, "assign"):
        x.assign(value)
        return
    if isinstance(x, torch.Tensor):
        with torch.no_grad():
            x.copy_(torch.as_tensor(value, dtype=x.dtype))
        return
    raise TypeError(
        f"set_value: {x!r} is a plain value and cannot be set in place; set the attribute it came from "
        "(e.g. model.optimizer.learning_rate = value)"
    )


def int_shape(x) -> tuple:
    """The shape as Keras reports it: channels-last for images, None where unknown."""
    if isinstance(x, torch.Tensor):
        return (x.shape[0], *api_shape(x)[1:]) if x.dim() else ()
    return tuple(x.shape)


# ---- Keras 2's graph functions ---------------------------------------------------------------------
class _LearningPhase:
    """`K.learning_phase()`: an input of K.function whose value (0 or 1) says inference or training."""

    def __repr__(self) -> str:
        return "<learning phase>"


_LEARNING_PHASE = _LearningPhase()


def learning_phase():
    return _LEARNING_PHASE


def set_learning_phase(value) -> None:
    """Accepted for old programs; cnnkit follows fit/predict's mode (and a call's training=)."""
    if value not in (0, 1, True, False):
        raise ValueError(f"set_learning_phase: expected 0 or 1; received {value!r}")


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2's K.function: a Python function from values of the symbolic `inputs` (arrays,
    channels-last; K.learning_phase() among them takes 0 or 1) to NumPy values of `outputs`."""
    from cnnkit.models.functional import Functional  # the graph between them, as a model

    if updates:
        raise ValueError("K.function: updates= (TensorFlow 1's graph updates) is not supported; train with fit")
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    single = not isinstance(outputs, (list, tuple))
    outputs = [outputs] if single else list(outputs)
    tensors = [t for t in inputs if t is not _LEARNING_PHASE]
    graph = Functional(tensors if len(tensors) > 1 else tensors[0], outputs if len(outputs) > 1 else outputs[0])

    def run(values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if len(values) != len(inputs):
            raise ValueError(f"K.function: expected {len(inputs)} input value(s); received {len(values)}")
        phase = [v for t, v in zip(inputs, values) if t is _LEARNING_PHASE]
        given = [v for t, v in zip(inputs, values) if t is not _LEARNING_PHASE]
        with torch.no_grad():
            result = graph(given if len(given) > 1 else given[0], training=bool(phase and phase[0]))
        results = result if isinstance(result, (list, tuple)) else [result]
        return [to_channels_last(r).cpu().numpy() for r in results]

    return run


def gradients(loss, variables):
    raise ValueError(
        "K.gradients is TensorFlow 1's symbolic differentiation, which cnnkit does not have: compute the loss "
        "on real tensors and call loss.backward() (or torch.autograd.grad)"
    )


def placeholder(shape=None, ndim=None, dtype=None, name=None):
    raise ValueError("K.placeholder is TensorFlow 1's graph input: use keras.Input(shape) instead")


__all__ = sorted(
    {
        *_math_names,
        "backend", "clear_session", "epsilon", "floatx", "get_device", "image_data_format", "set_device",
        "set_image_data_format", "to_snake_case", "unique_name",
        "eval", "function", "get_value", "gradients", "int_shape", "learning_phase", "placeholder",
        "set_learning_phase", "set_value",
    }
)  # fmt: skip
