"""What every recurrent cell shares, and the helpers that run one step of any cell."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import activations, constraints, initializers, regularizers
from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape, api_shape
from cnnkit.layers.layer import Layer


class BuiltinCell(Layer):
    """cnnkit's own cells (RecurrentCell's subclasses and StackedRNNCells): `forward(inputs,
    states, training)` runs one step, and `build_for` builds them for a feature count, where a
    user's Keras-style cell is run through its `call` and built through its `build`."""


class RecurrentCell(BuiltinCell):
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
        positive_int(units, "units", self)
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
        self.add_weight(
            "kernel",
            (self.input_dim, width),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            torch_order=(1, 0),
        )
        self.add_weight(
            "recurrent_kernel",
            (self.units, width),
            self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            torch_order=(1, 0),
        )
        if self.use_bias:
            self.add_weight(
                "bias",
                self.bias_shape(),
                self.bias_initializer_for(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
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
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
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
    if isinstance(cell, BuiltinCell):
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
        if isinstance(cell, BuiltinCell):
            cell.build_for((None, features), device)
        else:  # a user's cell: its build only wants the input shape; it has no output shape to tell
            cell.build((None, features))
            cell.built = True
            cell.to(device)
