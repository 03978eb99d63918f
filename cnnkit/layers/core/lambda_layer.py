"""Lambda: a function of tensors as a layer, `Lambda(lambda x: x / 255.0)`, as in Keras.

The function sees tensors as a Keras user writes for them: images channels-last, (batch, height,
width, channels), or channels-first where the program set image_data_format "channels_first".
cnnkit's run-time images are NCHW, so it gets a permuted view (no copy) where the layouts differ,
and a 4-D result is turned back the same way. Other ranks pass as they are.

A function cannot be saved as data: loading a model never runs code from the file. The saved
config names the function, and `load_model(path, custom_objects={"name": function})` gives it
back. A `lambda` has no name to find it by, so saving a model that holds one is an error that
says to use a named function.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import torch

from cnnkit.common import object_registration as custom_objects
from cnnkit.common.layout import api_shape, api_views, runtime_views, to_channels_first
from cnnkit.layers.layer import Layer
from cnnkit.layers.users_call import users_code


def _one_unlisted(y):
    """A list of one tensor is that tensor, as Keras 2 unpacked it (mnist_swwae.py's Lambda returns
    K.gradients' list of one)."""
    return y[0] if isinstance(y, (list, tuple)) and len(y) == 1 else y


class Lambda(Layer):
    """`function(inputs, **arguments)` as a layer. Input and output shapes: whatever the function
    takes and gives (channels-last for images). `output_shape` (without the batch axis, or a
    function of the input shape with it) declares the output's shape; without it, the shape is
    found by calling the function once on zeros (so give it where a dimension is unknown)."""

    def __init__(self, function: Callable, output_shape=None, mask=None, arguments: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise self.error(f"function must be callable; received {function!r}")
        if mask is not None:
            raise self.error("mask= is not supported; masks pass through layers that support them")
        self.function = function
        self.declared_output_shape = output_shape
        self.arguments = dict(arguments or {})

    def compute_output_shape(self, input_shape):
        declared = self.declared_output_shape
        if callable(declared):
            return declared(input_shape)
        if declared is not None:
            return (None, *tuple(declared))
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        if any(d is None for shape in shapes for d in shape[1:]):
            raise self.error(
                f"cannot work out the output shape for input {input_shape} (a dimension is unknown); pass output_shape="
            )
        zeros = [api_views(to_channels_first(torch.zeros((2, *shape[1:])))) for shape in shapes]
        with torch.no_grad(), users_code(True):
            out = _one_unlisted(self.function(zeros if isinstance(input_shape, list) else zeros[0], **self.arguments))
        if isinstance(out, (list, tuple)):
            return [api_shape(runtime_views(t)) for t in out]
        return api_shape(runtime_views(out))

    def call(self, x):
        with users_code(True):
            return runtime_views(_one_unlisted(self.function(api_views(x), **self.arguments)))

    def check_savable(self) -> None:
        """Called before a model file is written: a lambda could never be found again by name."""
        if getattr(self.function, "__name__", "<lambda>") == "<lambda>":
            raise self.error(
                "a lambda cannot be saved (loading never runs code from a file): define the function with "
                "`def`, then load the model with custom_objects={'its_name': its_name}"
            )
        try:
            json.dumps(self.arguments)
        except TypeError:
            raise self.error(
                f"its arguments {sorted(self.arguments)} cannot be saved as data (numbers, strings, lists and "
                "dicts can); pass the others through a named function instead"
            ) from None

    def get_config(self) -> dict:
        declared = self.declared_output_shape
        return {
            **super().get_config(),
            "function": getattr(self.function, "__name__", "<lambda>"),
            "output_shape": None if callable(declared) or declared is None else list(declared),
            "arguments": self.arguments,
        }

    @classmethod
    def from_config(cls, config: dict) -> Lambda:
        config = dict(config)
        name = config.pop("function")
        function = custom_objects.lookup(name)
        if name == "<lambda>":  # only a training backup holds one; model files refuse it
            raise ValueError(f"the saved Lambda layer {config.get('name')!r} held a lambda, which cannot be loaded")
        if function is None:
            raise ValueError(
                f"the saved model's Lambda layer {config.get('name')!r} calls the function {name!r}; pass "
                f"custom_objects={{{name!r}: {name}}} to load_model"
            )
        return cls(function, **config)

    def extra_repr(self) -> str:
        return getattr(self.function, "__name__", repr(self.function))
