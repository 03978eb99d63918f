"""Bidirectional: a recurrent layer run forwards and backwards, the two results merged."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, api_shape
from cnnkit.layers.core.masking import get_mask, set_mask
from cnnkit.layers.layer import Layer
from cnnkit.layers.rnn.rnn import SequenceRunner

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _clone(layer: SequenceRunner, **changes) -> SequenceRunner:
    config = {**layer.get_config(), **changes}
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Runs `layer` forwards and a copy of it backwards over the sequence and merges the two
    outputs (`merge_mode` 'concat', 'sum', 'mul', 'ave', or None for a list of both). With
    `return_sequences` the backward outputs are put back in time order first. Weights: the
    forward layer's, then the backward layer's, as Keras lists them."""

    def __init__(self, layer, merge_mode: str | None = "concat", backward_layer=None, weights=None, **kwargs):
        if not isinstance(layer, SequenceRunner):
            raise ValueError(f"Bidirectional needs a recurrent layer (LSTM, GRU, SimpleRNN, RNN); received {layer!r}")
        super().__init__(**kwargs)
        if merge_mode not in MERGE_MODES:
            raise self.error(f"merge_mode must be one of {MERGE_MODES}; received merge_mode={merge_mode!r}")
        if weights is not None:
            raise self.error("weights= is not supported; call set_weights() after building")
        sequences = layer.return_sequences
        self.forward_layer = _clone(layer, name=f"forward_{layer.name}", zero_output_for_mask=sequences)
        if backward_layer is None:
            backward_layer = _clone(layer, name=f"backward_{layer.name}", go_backwards=not layer.go_backwards)
        elif not isinstance(backward_layer, SequenceRunner) or backward_layer.go_backwards == layer.go_backwards:
            raise self.error("backward_layer must be a recurrent layer with the opposite go_backwards")
        if backward_layer.return_sequences != sequences or backward_layer.return_state != layer.return_state:
            raise self.error("backward_layer must match the layer's return_sequences and return_state")
        backward_layer.zero_output_for_mask = sequences
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = sequences, layer.return_state

    def _merged_shape(self, shape: Shape) -> Shape | list[Shape]:
        if self.merge_mode is None:
            return [shape, shape]
        if self.merge_mode == "concat":
            return (*shape[:-1], 2 * shape[-1])
        return shape

    def compute_output_shape(self, input_shape: Shape):
        forward = self.forward_layer.compute_output_shape(input_shape)
        backward = self.backward_layer.compute_output_shape(input_shape)
        if not self.return_state:
            return self._merged_shape(forward)
        merged = self._merged_shape(forward[0])
        merged = merged if isinstance(merged, list) else [merged]
        return [*merged, *forward[1:], *backward[1:]]

    def build(self, input_shape: Shape) -> None:
        self.forward_layer.build_for(input_shape)
        self.backward_layer.build_for(input_shape)

    def _merge(self, forward: torch.Tensor, backward: torch.Tensor):
        if self.merge_mode == "concat":
            return torch.cat([forward, backward], -1)
        if self.merge_mode == "sum":
            return forward + backward
        if self.merge_mode == "mul":
            return forward * backward
        if self.merge_mode == "ave":
            return (forward + backward) / 2
        return [forward, backward]

    def forward(self, x: torch.Tensor, initial_state=None, mask=None, training=None):
        if not self.built:
            self.build_for(api_shape(x), x.device)
        if initial_state is not None:
            raise self.error("initial_state is not supported on Bidirectional")
        forward, backward = self.forward_layer(x, mask=mask), self.backward_layer(x, mask=mask)
        states = []
        if self.return_state:
            forward, *forward_states = forward
            backward, *backward_states = backward
            states = [*forward_states, *backward_states]
        if self.return_sequences:
            backward = backward.flip(1)  # back into time order
        merged = self._merge(forward, backward)
        if self.return_sequences and not isinstance(merged, list):
            set_mask(merged, mask if mask is not None else get_mask(x))
        if not self.return_state:
            return merged
        return [*(merged if isinstance(merged, list) else [merged]), *states]

    def get_config(self) -> dict:
        from cnnkit.layers.serialization import serialize

        layer = self.forward_layer.get_config()
        layer["name"] = layer["name"].removeprefix("forward_")
        return {
            **super().get_config(),
            "layer": {"class_name": type(self.forward_layer).__name__, "config": layer},
            "merge_mode": self.merge_mode,
            "backward_layer": serialize(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config: dict):
        from cnnkit.layers.serialization import deserialize

        config = dict(config)
        layer = deserialize(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        return cls(layer, backward_layer=deserialize(backward) if backward else None, **config)
