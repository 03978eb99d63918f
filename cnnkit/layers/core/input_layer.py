"""InputLayer and Input: how a model learns its input shape before it sees data.

`Input(shape)` is where a functional graph starts: a KerasTensor made by an InputLayer.
"""

from __future__ import annotations

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
        return x

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
    if "tensor" in kwargs:
        raise ValueError(
            "Input: tensor= (Keras 2's input fed from an existing tensor) is not supported; use the tensor itself, "
            "or a constant as a layer's argument"
        )
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
