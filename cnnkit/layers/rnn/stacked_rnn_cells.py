"""StackedRNNCells: several cells run as one."""

from __future__ import annotations

from torch import nn

from cnnkit.common.layout import Shape, api_shape
from cnnkit.layers.rnn.recurrent_cell import BuiltinCell, as_state_list, build_cell, cell_step, output_size, state_sizes


class StackedRNNCells(BuiltinCell):
    """Cells one above the other within a timestep: each reads the one below's output. Its state
    is every cell's states in order; its output the top cell's."""

    def __init__(self, cells, **kwargs) -> None:
        super().__init__(**kwargs)
        if not cells or not all(hasattr(c, "state_size") and hasattr(c, "call") for c in cells):
            raise self.error("needs a list of cells, each with state_size and call(inputs, states)")
        self.cells = nn.ModuleList(cells)

    @property
    def state_size(self) -> list[int]:
        return [size for cell in self.cells for size in state_sizes(cell)]

    @property
    def output_size(self) -> int:
        return output_size(self.cells[-1])

    def compute_output_shape(self, input_shape: Shape):
        return (input_shape[0], self.output_size)

    def build(self, input_shape: Shape) -> None:
        features = input_shape[-1]
        for cell in self.cells:
            build_cell(cell, features, None)
            features = output_size(cell)

    def forward(self, inputs, states=None, training=None):
        if not self.built:
            self.build_for(api_shape(inputs), inputs.device)
        if states is None:
            states = [inputs.new_zeros(inputs.shape[0], size) for size in self.state_size]
        states, new_states, output = as_state_list(states), [], inputs
        for cell in self.cells:
            count = len(state_sizes(cell))
            output, cell_states = cell_step(cell, output, states[:count], training)
            states, new_states = states[count:], new_states + cell_states
        return output, new_states

    def call(self, inputs, states=None, training=None):
        return self.forward(inputs, states, training)

    def get_config(self) -> dict:
        from cnnkit.layers.serialization import serialize

        return {**super().get_config(), "cells": [serialize(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config: dict):
        from cnnkit.layers.serialization import deserialize

        config = dict(config)
        return cls([deserialize(cell) for cell in config.pop("cells")], **config)
