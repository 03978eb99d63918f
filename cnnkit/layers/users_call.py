"""A user's own layer's `call` runs as Keras runs it.

Keras programs write `call` for channels-last images: `ops.shape(x)[-1]` is the channels,
`ops.reshape(x, (-1, h * w, c))` makes a sequence of pixels (keras.io's CCT tokenizer). cnnkit's
run-time images are NCHW, so the call gets permuted views (no copy) and its images go back to
NCHW on the way out, as a Lambda's function does. Inside the call every tensor is in the API's
layout, so a cnnkit layer the call uses (`self.conv(x)`, a Sequential held as an attribute)
takes its input that way too, whether it came from the call's input or from `ops.reshape`:
`inside_users_call()` tells Layer.__call__ so.

Keras also passes `training` (the mode the call runs in) and `mask` (the input's padding mask)
to a call that names them; a stochastic-depth or noise layer written for Keras reads `training`.

Only layers whose `call` is the user's own get this (a direct subclass of Layer, or of another
user layer); a subclassed Model's `call` runs on the run-time layout, as subclassing.py says.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from contextlib import contextmanager

from cnnkit.common.layout import api_views, runtime_views


class _State:
    inside = False


_STATE = _State()


def inside_users_call() -> bool:
    """True while a user's call (or a Lambda's function) runs and no cnnkit layer inside it does."""
    return _STATE.inside


@contextmanager
def users_code(inside: bool) -> Iterator[None]:
    """Mark the code run in this block as a user's (True) or cnnkit's (False)."""
    was, _STATE.inside = _STATE.inside, inside
    try:
        yield
    finally:
        _STATE.inside = was


def defines_users_call(cls) -> bool:
    """Whether `cls` (a Layer subclass defined outside cnnkit) runs a call of the user's: the
    nearest `call` that cnnkit defines along its bases is Layer's own, which does nothing."""
    if getattr(cls, "_runs_graph_or_model_call", False):
        return False
    for klass in cls.__mro__:
        if "call" in klass.__dict__ and klass.__module__.startswith("cnnkit."):
            return klass.__name__ == "Layer" and klass.__module__ == "cnnkit.layers.layer"
    return False


@functools.cache
def _parameters_of(call) -> frozenset:
    return frozenset(inspect.signature(call).parameters)


def call_parameters(layer) -> frozenset:
    """The names `layer.call` takes (read once per class: this runs at every call)."""
    return _parameters_of(type(layer).call)


def run_users_call(layer, x, keywords: dict):
    """`layer.call` on API-layout views of `x`, with `training` and `mask` where it takes them;
    its result with images back in the run-time layout."""
    parameters = call_parameters(layer)
    keywords = dict(keywords)
    if "training" in parameters and "training" not in keywords:
        keywords["training"] = layer.training
    if "mask" in parameters and "mask" not in keywords:
        keywords["mask"] = getattr(x, "_keras_mask", None)
    with users_code(True):
        return runtime_views(layer.call(api_views(x), **keywords))
