"""Recurrent cells: one timestep's equations and weights, Keras's SimpleRNNCell, GRUCell and
LSTMCell, plus StackedRNNCells. `RNN(cell)` runs a cell over a sequence; the LSTM, GRU and
SimpleRNN layers are the same cells run by the same machinery (recurrent.py).

Weights keep Keras's names and, through get_weights()/set_weights(), Keras's layout: `kernel`
(features, gates * units), `recurrent_kernel` (units, gates * units) and `bias`, gates in Keras's
order (LSTM i, f, c, o; GRU z, r, h). They are stored transposed, as torch's kernels read them.
Keras's one LSTM bias is torch's b_ih; torch's b_hh is passed as zeros.

A cell called on its own, `cell(x_t, states)`, takes (batch, features) and a list of states and
returns (output, new_states), as in Keras; in training its dropout masks are drawn anew each call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from cnnkit import activations, constraints, initializers, regularizers
from cnnkit.common.layout import api_shape
from cnnkit.layers.base import Layer, Shape


class RecurrentCell(Layer):
    """The weights, the arguments that shape them, and one step. A subclass gives `step`
    (and `run_fused`, torch's kernel for a whole sequence, where one exists)."""

    GATES = 1
    STATES = 1  # LSTM: 2 (h and c)
    DEFAULT_RECURRENT_ACTIVATION: str | None = None

    def __init__(
        self,
        units: int,
        activation: str | Callable | None = "tanh",
        recurrent_activation: str | Callable | None = None,
        use_bias: bool = True,
        kernel_initializer: str | Callable = "glorot_uniform",
        recurrent_initializer: str | Callable = "orthogonal",
        bias_initializer: str | Callable = "zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise self.error(f"units must be a positive int; received units={units!r}")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
                raise self.error(f"{name} must be a float in [0, 1); received {name}={rate!r}")
        if seed is not None:
            raise self.error("seed= is not supported; use cnnkit.utils.set_random_seed")
        self.units = units
        self.activation = activations.get(activation)
        self.activation_name = activations.name_of(self.activation)
        recurrent_activation = recurrent_activation or self.DEFAULT_RECURRENT_ACTIVATION
        self.recurrent_activation = activations.get(recurrent_activation) if recurrent_activation else None
        self.recurrent_activation_name = (
            activations.name_of(self.recurrent_activation) if recurrent_activation else None
        )
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.use_cudnn = "auto"  # the layers take Keras's use_cudnn argument; a cell alone follows "auto"

    # ---- shapes and weights ---------------------------------------------------------------------
    @property
    def state_size(self):
        return [self.units] * self.STATES if self.STATES > 1 else self.units

    @property
    def output_size(self) -> int:
        return self.units

    def compute_output_shape(self, input_shape: Shape):
        """A cell on one step: (batch, features) -> (batch, units)."""
        if len(input_shape) != 2:
            raise self.error(f"a cell takes one step (batch, features); received shape {tuple(input_shape)}")
        return (input_shape[0], self.units)

    def build(self, input_shape: Shape) -> None:
        self.input_dim = input_shape[-1]
        width = self.GATES * self.units
        self.add_weight("kernel", (self.input_dim, width), self.kernel_initializer, torch_order=(1, 0))
        self.add_weight("recurrent_kernel", (self.units, width), self.recurrent_initializer, torch_order=(1, 0))
        if self.use_bias:
            self.add_weight("bias", self.bias_shape(), self.bias_initializer_for())
        else:
            self.bias = None

    def bias_shape(self) -> tuple[int, ...]:
        return (self.GATES * self.units,)

    def bias_initializer_for(self) -> Callable:
        return self.bias_initializer

    def get_initial_state(self, batch_size: int) -> list[torch.Tensor]:
        device = next((p.device for p in self.parameters()), None)
        return [torch.zeros(batch_size, self.units, device=device) for _ in range(self.STATES)]

    # ---- running --------------------------------------------------------------------------------
    def _fusable(self) -> bool:
        return (
            self.use_cudnn is not False
            and self.activation_name == "tanh"
            and self.recurrent_activation_name in (None, "sigmoid")
            and self.recurrent_dropout == 0
        )

    def _fused_form(self) -> bool:
        return True

    def input_projection(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.linear(inputs, self.kernel, self.bias)

    def forward(self, inputs: torch.Tensor, states=None, training=None):
        """One step: (output, new_states)."""
        if not self.built:
            self.build_for(api_shape(inputs), inputs.device)
        if states is None:
            states = self.get_initial_state(inputs.shape[0])
        else:  # NumPy states too, as Keras takes them
            states = [torch.as_tensor(s, dtype=inputs.dtype, device=inputs.device) for s in as_state_list(states)]
        if self.training and self.dropout > 0:
            inputs = F.dropout(inputs, self.dropout)
        read = states[0]
        if self.training and self.recurrent_dropout > 0:
            read = F.dropout(read, self.recurrent_dropout)
        return self.step(self.input_projection(inputs), read, states)

    def call(self, inputs, states=None, training=None):  # Keras's name for one step
        return self.forward(inputs, states, training)

    def step(self, projected, read, states):
        raise NotImplementedError

    # ---- config -----------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation_name,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
            "recurrent_initializer": initializers.name_of(self.recurrent_initializer),
            "bias_initializer": initializers.name_of(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = self.recurrent_activation_name
        return config


class SimpleRNNCell(RecurrentCell):
    """h_t = activation(x_t W + h_{t-1} U + b). Fused for tanh and relu."""

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, **kwargs) -> None:
        super().__init__(units, activation, None, use_bias, **kwargs)

    def _fusable(self) -> bool:
        return self.use_cudnn is not False and self.activation_name in ("tanh", "relu") and self.recurrent_dropout == 0

    def run_fused(self, inputs, states):
        kernel = torch.rnn_tanh if self.activation_name == "tanh" else torch.rnn_relu
        weights = [self.kernel, self.recurrent_kernel]
        if self.use_bias:
            weights += [self.bias, torch.zeros_like(self.bias)]
        outputs, last = kernel(inputs, states[0][None], weights, self.use_bias, 1, 0.0, self.training, False, True)
        return outputs, [last[0]]

    def step(self, projected, read, states):
        h = self.activation(projected + F.linear(read, self.recurrent_kernel))
        return h, [h]


class GRUCell(RecurrentCell):
    """Keras's GRU. `reset_after=True` (Keras's default, cuDNN's form):
        z = sig(x Wz + h Uz + b), r = sig(x Wr + h Ur + b), h~ = tanh(x Wh + b + r * (h Uh + b')),
        h_t = z * h_{t-1} + (1 - z) * h~;
    its bias is (2, 3 * units): the input bias and the recurrent bias. `reset_after=False` applies
    r before the recurrent kernel (h~ = tanh(x Wh + (r * h) Uh + b)) with one bias, stepwise only."""

    GATES = 3
    DEFAULT_RECURRENT_ACTIVATION = "sigmoid"

    def __init__(self, units: int, *args, reset_after: bool = True, **kwargs) -> None:
        self.reset_after = bool(reset_after)
        super().__init__(units, *args, **kwargs)

    def bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _fused_form(self) -> bool:
        return self.reset_after

    def _fusable(self) -> bool:
        return super()._fusable() and self.reset_after

    def input_projection(self, inputs):
        bias = None if self.bias is None else (self.bias[0] if self.reset_after else self.bias)
        return F.linear(inputs, self.kernel, bias)

    def run_fused(self, inputs, states):
        def torch_order(w):  # Keras's gates z, r, h -> torch's r, z, n
            z, r, h = w.chunk(3, 0)
            return torch.cat([r, z, h])

        weights = [torch_order(self.kernel), torch_order(self.recurrent_kernel)]
        if self.use_bias:
            weights += [torch_order(self.bias[0]), torch_order(self.bias[1])]
        outputs, last = torch.gru(inputs, states[0][None], weights, self.use_bias, 1, 0.0, self.training, False, True)
        return outputs, [last[0]]

    def step(self, projected, read, states):
        h = states[0]
        x_z, x_r, x_h = projected.chunk(3, 1)
        u_z, u_r, u_h = self.recurrent_kernel.chunk(3, 0)
        if self.reset_after:
            recurrent = F.linear(read, self.recurrent_kernel, None if self.bias is None else self.bias[1])
            h_z, h_r, h_h = recurrent.chunk(3, 1)
            z = self.recurrent_activation(x_z + h_z)
            r = self.recurrent_activation(x_r + h_r)
            candidate = self.activation(x_h + r * h_h)
        else:
            z = self.recurrent_activation(x_z + F.linear(read, u_z))
            r = self.recurrent_activation(x_r + F.linear(read, u_r))
            candidate = self.activation(x_h + F.linear(r * read, u_h))
        h = z * h + (1 - z) * candidate
        return h, [h]

    def get_config(self) -> dict:
        return {**super().get_config(), "reset_after": self.reset_after}


class LSTMCell(RecurrentCell):
    """Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al.):
        i = sig(x Wi + h Ui + bi), f = sig(x Wf + h Uf + bf), c~ = tanh(x Wc + h Uc + bc),
        o = sig(x Wo + h Uo + bo), c_t = f * c_{t-1} + i * c~, h_t = o * tanh(c_t).
    `unit_forget_bias=True` (Keras's default) starts the forget gate's bias at 1."""

    GATES = 4
    STATES = 2
    DEFAULT_RECURRENT_ACTIVATION = "sigmoid"

    def __init__(self, units: int, *args, unit_forget_bias: bool = True, **kwargs) -> None:
        self.unit_forget_bias = bool(unit_forget_bias)
        super().__init__(units, *args, **kwargs)

    def bias_initializer_for(self) -> Callable:
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def forget_gate_ones(shape, dtype=None):
            return torch.cat([base((units,), dtype), torch.ones(units), base((2 * units,), dtype)])

        return forget_gate_ones

    def run_fused(self, inputs, states):
        weights = [self.kernel, self.recurrent_kernel]
        if self.use_bias:
            weights += [self.bias, torch.zeros_like(self.bias)]
        h0, c0 = states[0][None], states[1][None]
        outputs, h, c = torch.lstm(inputs, (h0, c0), weights, self.use_bias, 1, 0.0, self.training, False, True)
        return outputs, [h[0], c[0]]

    def step(self, projected, read, states):
        c = states[1]
        gates = projected + F.linear(read, self.recurrent_kernel)
        i, f, candidate, o = gates.chunk(4, 1)
        i, f, o = self.recurrent_activation(i), self.recurrent_activation(f), self.recurrent_activation(o)
        c = f * c + i * self.activation(candidate)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


# ---- any cell, Keras's way ------------------------------------------------------------------------
def as_state_list(states) -> list[torch.Tensor]:
    return list(states) if isinstance(states, (list, tuple)) else [states]


def state_sizes(cell) -> list[int]:
    """A cell's `state_size` (an int or a list of them) as a list."""
    size = cell.state_size
    return [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)]


def output_size(cell) -> int:
    return int(getattr(cell, "output_size", None) or state_sizes(cell)[0])


def cell_step(cell, inputs: torch.Tensor, states: list[torch.Tensor], training) -> tuple[torch.Tensor, list]:
    """One step of any cell: cnnkit's own, or a user's Keras-style cell whose `call(inputs,
    states[, training])` returns (output, new_states)."""
    if isinstance(cell, (RecurrentCell, StackedRNNCells)):
        return cell.forward(inputs, states, training)
    if "training" in inspect.signature(cell.call).parameters:
        result = cell.call(inputs, states, training=training)
    else:
        result = cell.call(inputs, states)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ValueError(
            f"{type(cell).__name__}: a cell's call(inputs, states) must return (output, new_states); "
            f"received {type(result).__name__}"
        )
    return result[0], as_state_list(result[1])


def build_cell(cell, features: int, device) -> None:
    if not cell.built:
        if isinstance(cell, (RecurrentCell, StackedRNNCells)):
            cell.build_for((None, features), device)
        else:  # a user's cell: its build only wants the input shape; it has no output shape to tell
            cell.build((None, features))
            cell.built = True
            cell.to(device)


class StackedRNNCells(Layer):
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
