"""Keras's `keras.backend`: the session (device, layer names, clear_session, image_data_format,
floatx, epsilon; cnnkit/session.py), Keras 2's get_value / set_value / eval / int_shape, its math
on tensors (`K.mean`, `K.square`, `K.batch_dot`, ...; cnnkit/backend_ops.py), and `K.function`."""

from __future__ import annotations

import builtins

import numpy as np
import torch

from cnnkit.backend_ops import *  # noqa: F403  (Keras 2's K.* math, listed in backend_ops)
from cnnkit.backend_ops import __all__ as _math_names
from cnnkit.backend_ops import _t
from cnnkit.common.layout import API_LAYOUT, RUNTIME_SOURCE, api_shape, runtime_to_api
from cnnkit.layers.node import is_symbolic
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
    channels-last; K.learning_phase() among them takes 0 or 1) to NumPy values of `outputs`.
    Outputs made with K.gradients are differentiated with respect to the values given."""
    from cnnkit.layers.core.symbolic_gradients import SymbolicGradients
    from cnnkit.models.functional import Functional  # the graph between them, as a model

    if updates:
        raise ValueError("K.function: updates= (TensorFlow 1's graph updates) is not supported; train with fit")
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    single = not isinstance(outputs, (list, tuple))
    outputs = [outputs] if single else list(outputs)
    tensors = [t for t in inputs if t is not _LEARNING_PHASE]
    graph = Functional(tensors if len(tensors) > 1 else tensors[0], outputs if len(outputs) > 1 else outputs[0])
    differentiates = builtins.any(isinstance(layer, SymbolicGradients) for layer in graph.modules())

    def run(values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if len(values) != len(inputs):
            raise ValueError(f"K.function: expected {len(inputs)} input value(s); received {len(values)}")
        phase = [v for t, v in zip(inputs, values) if t is _LEARNING_PHASE]
        given = [v for t, v in zip(inputs, values) if t is not _LEARNING_PHASE]
        if differentiates:
            given = [_differentiable(v) for v in given]
        with torch.enable_grad() if differentiates else torch.no_grad():
            result = graph(given if len(given) > 1 else given[0], training=bool(phase and phase[0]))
        results = result if isinstance(result, (list, tuple)) else [result]
        return [r.detach().cpu().numpy() for r in results]  # already channels-last: called on API data

    return run


def _differentiable(value) -> torch.Tensor:
    """An input value for K.function as a tensor the gradients can be taken with respect to."""
    tensor = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value)
    if tensor.is_floating_point():
        tensor = tensor.detach().float().requires_grad_(True)
    setattr(tensor, API_LAYOUT, True)  # channels-last, as a NumPy array would be taken
    return tensor


def gradients(loss, variables):
    """Keras 2's K.gradients: the gradients of `loss` with respect to each of `variables`, a list.
    On a functional graph's tensors they are graph tensors (evaluate them with K.function); on
    real tensors, torch's autograd.grad of the sum of `loss`."""
    from cnnkit.layers.core.symbolic_gradients import GradientsNotRecorded, SymbolicGradients

    wanted = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    symbolic = [is_symbolic(x) for x in wanted]  # (any and all are K's here: builtins.any, builtins.all)
    if is_symbolic(loss) or builtins.any(symbolic):
        if not is_symbolic(loss) or not builtins.all(symbolic):
            raise ValueError(
                "K.gradients: the loss and the tensors to differentiate by must all be graph tensors (Input, a "
                "layer's output, K.placeholder), or all real tensors; a weight is differentiated with loss.backward()"
            )
        grads = SymbolicGradients(name=unique_name("gradients"))([loss, *wanted])
        return list(grads) if isinstance(grads, (list, tuple)) else [grads]
    if not builtins.all(isinstance(x, torch.Tensor) and x.requires_grad for x in wanted):
        if not torch.is_grad_enabled():  # predict or evaluate: a model runs it again, recording them
            raise GradientsNotRecorded("K.gradients: the run records no gradients (predict or evaluate)")
        raise ValueError(
            "K.gradients: on real tensors, each tensor to differentiate by must record gradients (requires_grad); "
            "on a functional graph, pass its tensors"
        )
    # A Lambda's function sees a permuted view of its run-time input, which the loss was not computed
    # from: differentiate by the run-time tensor the view was made of, then permute alike.
    sources = [getattr(x, RUNTIME_SOURCE, x) for x in wanted]
    grads = torch.autograd.grad(_t(loss).sum(), sources, create_graph=torch.is_grad_enabled(), allow_unused=True)
    grads = [torch.zeros_like(s) if g is None else g for s, g in zip(sources, grads)]
    return [runtime_to_api(g) if s is not x else g for x, s, g in zip(wanted, sources, grads)]


def placeholder(shape=None, ndim=None, dtype=None, name=None):
    """Keras 2's K.placeholder: a graph input of `shape`, batch axis first (`(1, 400, 600, 3)`)."""
    from cnnkit.layers import Input

    if shape is None:
        if ndim is None:
            raise ValueError("K.placeholder: give shape= (batch axis first) or ndim=")
        shape = (None,) * int(ndim)
    return Input(batch_shape=tuple(shape), dtype=dtype, name=name)


__all__ = sorted(
    {
        *_math_names,
        "backend", "clear_session", "epsilon", "floatx", "get_device", "image_data_format", "set_device",
        "set_image_data_format", "to_snake_case", "unique_name",
        "eval", "function", "get_value", "gradients", "int_shape", "learning_phase", "placeholder",
        "set_learning_phase", "set_value",
    }
)  # fmt: skip
