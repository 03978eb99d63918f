"""InputLayer and Input: how a model learns its input shape before it sees data.

`Input(shape)` is where a functional graph starts: a KerasTensor made by an InputLayer.
"""

from __future__ import annotations

import numpy as np
import torch

from cnnkit.common.layout import api_channels_first, api_to_runtime
from cnnkit.layers.layer import Layer
from cnnkit.layers.node import KerasTensor, Node

INPUT_DTYPES = ("float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool")


class InputLayer(Layer):
    """Declares a model's input shape (channels-last, without the batch axis) and dtype. Passes
    data through. An integer dtype (`Input((100,), dtype="int32")` before an Embedding) is what
    Keras tells the layers after it; cnnkit's data path carries ids as float32, which Embedding
    reads as whole numbers (exact up to 2**24)."""

    def __init__(
        self,
        input_shape: tuple | None = None,
        batch_size: int | None = None,
        name: str | None = None,
        shape: tuple | None = None,
        dtype=None,
        batch_shape: tuple | None = None,
        **kwargs,
    ) -> None:
        if batch_shape is not None:
            shape, batch_size = tuple(batch_shape)[1:], tuple(batch_shape)[0]
        chosen = shape if shape is not None else input_shape
        if chosen is None:
            raise ValueError("InputLayer: pass shape=(...), the input shape without the batch axis.")
        super().__init__(name=name, input_shape=chosen, **kwargs)
        dtype = "float32" if dtype is None else str(dtype).replace("torch.", "")
        if dtype not in INPUT_DTYPES:
            raise self.error(f"dtype must be one of {', '.join(INPUT_DTYPES)}; received dtype={dtype!r}")
        self.input_dtype = dtype
        self.batch_size = batch_size
        self.built = True

    def call(self, x):
        constant = getattr(self, "constant", None)
        return x if constant is None else constant

    def hold_constant(self, value: torch.Tensor) -> None:
        """Keras 2's `Input(tensor=constant)`: this input is always `value` (in the API's layout), so
        the graphs that read it need no value fed for it."""
        self.register_buffer("constant", api_to_runtime(value.detach().float()), persistent=False)

    def check_savable(self) -> None:
        """Called before a model file is written: a file holds an input's shape, not a value fed to it."""
        if getattr(self, "constant", None) is not None:
            raise self.error(
                "an input fed from a constant (Input(tensor=...)) cannot be written into a model file; "
                "save_weights works, or make the constant an Input of its own and feed it"
            )

    def get_config(self) -> dict:
        config = super().get_config()
        config["shape"] = config.pop("input_shape")
        if self.input_dtype != "float32":
            config["dtype"] = self.input_dtype
        return config


def Input(
    shape: tuple | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype=None,
    batch_shape: tuple | None = None,
    **kwargs,
) -> KerasTensor:
    """A symbolic input of `shape` (channels-last, no batch axis), e.g. `Input(shape=(28, 28, 1))`;
    or of `batch_shape` (a stateful RNN's fixed batch size first)."""
    if kwargs.get("tensor") is not None:
        return _input_from_tensor(kwargs.pop("tensor"), name, dtype, **kwargs)
    kwargs.pop("tensor", None)
    if shape is None and batch_shape is None:
        raise ValueError("Input: pass shape=(...), the input shape without the batch axis.")
    layer = InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype, batch_shape=batch_shape, **kwargs)
    node = Node(layer, [], takes_list=False)
    shape = tuple(layer.declared_input_shape)
    if layer.batch_size is not None:  # a fixed batch (K.placeholder((1, ...)), batch_shape=) is part of the shape
        shape = (layer.batch_size, *shape[1:])
    node.outputs = [KerasTensor(shape, node)]
    node.outputs[0].dtype = layer.input_dtype
    return node.outputs[0]


def _input_from_tensor(tensor, name: str | None, dtype, **kwargs) -> KerasTensor:
    """Keras 2's `Input(tensor=...)`: an input layer fed by an existing tensor. A graph tensor (an
    op on a K.placeholder, a layer's output) is passed through, so the layers called on the input
    stay on that tensor's graph (keras.applications' `input_tensor=`); a constant (K.variable, an
    array) is held by the layer, and graphs that read it need no value fed for it (neural_doodle.py's
    masks). The tensor's own shape, batch included, is the input's shape."""
    from cnnkit.variables import Variable

    if isinstance(tensor, KerasTensor):
        shape = tuple(tensor.shape)  # channels-last; declared as the program would declare it
        if len(shape) == 4 and api_channels_first():
            shape = (shape[0], shape[3], shape[1], shape[2])
        layer = InputLayer(batch_shape=shape, name=name, dtype=dtype or tensor.dtype, **kwargs)
        node = Node(layer, [tensor], takes_list=False)
    else:
        if isinstance(tensor, Variable):
            tensor = tensor.keras_view()
        value = tensor if isinstance(tensor, torch.Tensor) else torch.as_tensor(np.asarray(tensor))
        if value.dim() < 1:
            raise ValueError(f"Input: tensor= must have a batch axis; received a scalar {tensor!r}")
        layer = InputLayer(batch_shape=tuple(value.shape), name=name, dtype=dtype, **kwargs)
        layer.hold_constant(value)
        node = Node(layer, [], takes_list=True)
    node.outputs = [KerasTensor((layer.batch_size, *layer.declared_input_shape[1:]), node)]
    node.outputs[0].dtype = layer.input_dtype
    return node.outputs[0]
