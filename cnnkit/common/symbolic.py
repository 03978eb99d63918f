"""Operations on symbolic tensors, as Keras records them: `ops.add(x, y)`, `x * 0.5`, `x[:, 0]` or
Keras 2's `K.mean(K.square(x))` on the KerasTensors of a functional graph become graph nodes, each
a layer that runs the operation when the model runs, so `Model(inputs, x + y)` and
`model.add_loss(K.mean(...))` work as in Keras.

This module knows no layers (layers import the ops, not the other way round): `cnnkit.layers`
registers the function that records an operation as a layer (`set_recorder`), and the ops,
backend and loss functions wrap themselves with `dispatching`, which sends a call with any
symbolic argument there and runs every other call directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import torch

from cnnkit.common.layout import API_LAYOUT


class SymbolicValue:
    """The base class of KerasTensor: what `dispatching` looks for in a call's arguments."""


_recorder: Callable | None = None


class Slot:
    """Where the n-th symbolic tensor of a recorded call goes when the call runs."""

    def __init__(self, index: int) -> None:
        self.index = index


def lift(value, tensors: list):
    """`value` (nested lists, tuples and dicts) with each symbolic tensor replaced by a Slot, the
    tensor appended to `tensors`."""
    if isinstance(value, SymbolicValue):
        tensors.append(value)
        return Slot(len(tensors) - 1)
    if isinstance(value, (list, tuple)):
        return type(value)(lift(item, tensors) for item in value)
    if isinstance(value, dict):
        return {key: lift(item, tensors) for key, item in value.items()}
    return value


def fill(value, tensors: list):
    """The inverse of `lift`: each Slot replaced by its tensor from `tensors`."""
    if isinstance(value, Slot):
        return tensors[value.index]
    if isinstance(value, (list, tuple)):
        return type(value)(fill(item, tensors) for item in value)
    if isinstance(value, dict):
        return {key: fill(item, tensors) for key, item in value.items()}
    return value


def set_recorder(recorder: Callable) -> None:
    """`recorder(function, args, kwargs)` records `function` called on symbolic arguments as a
    graph node and returns its symbolic result (see cnnkit/layers/core/symbolic_op.py)."""
    global _recorder
    _recorder = recorder


def holds_symbolic(args, kwargs) -> bool:
    """Whether any argument, or any item of a list/tuple argument, is a symbolic tensor."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, SymbolicValue):
            return True
        if isinstance(value, (list, tuple)) and any(isinstance(item, SymbolicValue) for item in value):
            return True
    return False


def record(function: Callable, args: tuple, kwargs: dict):
    if _recorder is None:  # cnnkit.layers registers it on import; a symbolic tensor implies layers
        raise RuntimeError("symbolic tensors need cnnkit.layers imported")
    return _recorder(function, args, kwargs)


def _from_api_data(args) -> bool:
    """Whether a call's arguments hold API data: NumPy arrays, or tensors marked as in the API's
    layout. An image the call makes of them is in that layout too (channels-last), and is marked
    so, so a layer called on it later takes it as Keras would (`Patches()(ops.image.resize(...))`),
    where a bare torch tensor is NCHW, as PyTorch's."""
    for value in args:
        if _is_api_data(value):
            return True
        if isinstance(value, (list, tuple)) and any(_is_api_data(v) for v in value):
            return True
    return False


def _is_api_data(value) -> bool:
    return isinstance(value, np.ndarray) or getattr(value, API_LAYOUT, False)


def dispatching(function: Callable) -> Callable:
    """`function` that, called with a symbolic tensor among its arguments, records itself as a
    graph node; called on real tensors, runs as it is (one scan of the arguments)."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        if holds_symbolic(args, kwargs):
            return record(function, args, kwargs)
        result = function(*args, **kwargs)
        if isinstance(result, torch.Tensor) and result.dim() == 4 and _from_api_data(args):
            setattr(result, API_LAYOUT, True)
        return result

    call.runs_symbolically = True
    return call


def dispatch_module(namespace: dict, module: str, not_recorded: frozenset | set = frozenset()) -> list[str]:
    """Wrap every public function defined in `module` (its globals `namespace`) with `dispatching`,
    except those `not_recorded` (what reads a shape, or makes a tensor from nothing). Returns the
    names of all its public functions, for the module's `__all__`."""
    names = []
    for name, value in list(namespace.items()):
        defined_here = getattr(value, "__module__", None) == module and not isinstance(value, type)
        if callable(value) and defined_here and not name.startswith("_"):
            names.append(name)
            if name not in not_recorded:
                namespace[name] = dispatching(value)
    return sorted(names)
