"""InputLayer and Input: how a model learns its input shape before it sees data.

`Input(shape)` is where a functional graph starts: a KerasTensor made by an InputLayer.
"""

from __future__ import annotations

from cnnkit.layers.layer import Layer
from cnnkit.layers.node import KerasTensor, Node


class InputLayer(Layer):
    """Declares a model's input shape (channels-last, without the batch axis). Passes data through."""

    def __init__(
        self,
        input_shape: tuple | None = None,
        batch_size: int | None = None,
        name: str | None = None,
        shape: tuple | None = None,
        **kwargs,
    ) -> None:
        chosen = shape if shape is not None else input_shape
        if chosen is None:
            raise ValueError("InputLayer: pass shape=(...), the input shape without the batch axis.")
        super().__init__(name=name, input_shape=chosen, **kwargs)
        self.batch_size = batch_size
        self.built = True

    def call(self, x):
        return x

    def get_config(self) -> dict:
        config = super().get_config()
        config["shape"] = config.pop("input_shape")
        return config


def Input(shape: tuple | None = None, batch_size: int | None = None, name: str | None = None, **kwargs) -> KerasTensor:
    """A symbolic input of `shape` (channels-last, no batch axis), e.g. `Input(shape=(28, 28, 1))`."""
    if shape is None:
        raise ValueError("Input: pass shape=(...), the input shape without the batch axis.")
    layer = InputLayer(shape=shape, batch_size=batch_size, name=name, **kwargs)
    node = Node(layer, [], takes_list=False)
    node.outputs = [KerasTensor(layer.declared_input_shape, node)]
    return node.outputs[0]
