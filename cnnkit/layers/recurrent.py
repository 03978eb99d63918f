"""Recurrent layers with Keras's arguments and weights: SimpleRNN, GRU and LSTM.

Input (batch, timesteps, features), the same layout in Keras and in torch (batch first). Output:
the last output (batch, units); with `return_sequences` every step's (batch, timesteps, units);
with `return_state` a list [output, *final states] (LSTM's states are h and c).

Weights keep Keras's names and, through get_weights()/set_weights(), Keras's layout: `kernel`
(features, gates * units), `recurrent_kernel` (units, gates * units) and `bias`, gates in Keras's
order (LSTM i, f, c, o; GRU z, r, h). They are stored transposed, as torch's kernels read them.
Keras's one LSTM bias is torch's b_ih; torch's b_hh is passed as zeros.

Two ways to run, with the same weights and the same results:
- fused: torch's own kernels (cuDNN on a GPU, oneDNN/ATen on a CPU) whenever Keras's "cuDNN
  conditions" hold: the default activations, no recurrent dropout, no mask, GRU with
  `reset_after=True`. `use_cudnn=False` forces the other way; `use_cudnn=True` makes it an error
  when the conditions do not hold.
- stepwise: the equations, one timestep at a time, for everything else (other activations,
  recurrent dropout, masks from Embedding(mask_zero=True) or Masking).

Masked timesteps keep the previous state, and output the previous output (zeros with
`zero_output_for_mask=True`, which Bidirectional sets for sequences), as in Keras. `dropout`
drops input features with one mask per sequence, `recurrent_dropout` the state read by the
recurrent kernel; both only in training. `unroll` is accepted and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import activations, constraints, initializers, regularizers
from cnnkit.layers.base import Layer, Shape
from cnnkit.layers.layout import api_shape
from cnnkit.layers.masking import get_mask, set_mask


class RecurrentLayer(Layer):
    """The shared machinery: arguments, weights, states, masks, the two ways to run."""

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
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        use_cudnn: str | bool = "auto",
        seed=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise self.error(f"units must be a positive int; received units={units!r}")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
                raise self.error(f"{name} must be a float in [0, 1); received {name}={rate!r}")
        if use_cudnn not in ("auto", True, False):
            raise self.error(f"use_cudnn must be 'auto', True or False; received use_cudnn={use_cudnn!r}")
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
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.use_cudnn = use_cudnn
        self.states: list[torch.Tensor] | None = None  # the carried states of a stateful layer
        if use_cudnn is True and not self._fusable():
            raise self.error(
                "use_cudnn=True needs the default activations, recurrent_dropout=0 (and GRU reset_after=True)"
            )

    # ---- shapes and weights ---------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Shape):
        if len(input_shape) != 3:
            raise self.error(
                f"expected input of rank 3 (batch, timesteps, features); received shape {tuple(input_shape)}"
            )
        if input_shape[-1] is None:
            raise self.error("the features axis of the input must be known")
        output = (input_shape[0], input_shape[1], self.units) if self.return_sequences else (input_shape[0], self.units)
        if self.return_state:
            return [output, *[(input_shape[0], self.units)] * self.STATES]
        return output

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

    def working_floats(self, inputs: tuple) -> int:
        """Floats held per sample in a call, what evaluate/predict size their CPU pieces by (see
        training/pieces.py). Stepwise: the gates and outputs of every timestep. torch's fused
        kernel keeps every step's output but only one step's gates; counting those, the LSTM
        classifier's pieces hold 512 sequences, which predicted 10-15% faster than pieces of 114
        (counting every step's gates) or whole batches of 1,024 on the 2-core benchmark machine."""
        timesteps = inputs[0].shape[1] if inputs and inputs[0].dim() == 3 else 1
        if inputs and self._fusable() and self._fused_form() and get_mask(inputs[0]) is None:
            return (timesteps + self.GATES) * self.units
        return timesteps * (self.GATES + 1) * self.units

    def bias_initializer_for(self) -> Callable:
        return self.bias_initializer

    # ---- running --------------------------------------------------------------------------------
    def _fusable(self) -> bool:
        return (
            self.use_cudnn is not False
            and self.activation_name == "tanh"
            and self.recurrent_activation_name in (None, "sigmoid")
            and self.recurrent_dropout == 0
        )

    def forward(self, x: torch.Tensor, initial_state=None, mask=None, training=None):
        if not self.built:
            self.build_for(api_shape(x), x.device)
        return self.call(x, initial_state=initial_state, mask=mask)

    def _initial_states(self, x: torch.Tensor, initial_state) -> list[torch.Tensor]:
        batch = x.shape[0]
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) != self.STATES or any(tuple(s.shape) != (batch, self.units) for s in states):
                raise self.error(
                    f"initial_state must be {self.STATES} tensor(s) of shape ({batch}, {self.units}); received "
                    f"{[tuple(s.shape) for s in states]}"
                )
            return [s.to(x.dtype) for s in states]
        if self.stateful and self.states is not None:
            if self.states[0].shape[0] != batch:
                raise self.error(
                    f"a stateful layer needs the same batch size every call: {self.states[0].shape[0]}, then "
                    f"{batch}; call reset_states() between data sets"
                )
            return self.states
        return [x.new_zeros(batch, self.units) for _ in range(self.STATES)]

    def reset_states(self, states=None) -> None:
        """Forget (or set) the carried states of a stateful layer."""
        if states is None:
            self.states = None
            return
        device = self.kernel.device if self.built else None
        self.states = [torch.as_tensor(s, dtype=torch.float32, device=device) for s in states]

    def call(self, x: torch.Tensor, initial_state=None, mask=None):
        if x.dim() != 3:
            raise self.error(f"expected input of rank 3 (batch, timesteps, features); received shape {tuple(x.shape)}")
        if x.shape[-1] != self.input_dim:
            raise self.error(f"was built for {self.input_dim} features; received {x.shape[-1]}")
        mask = mask if mask is not None else get_mask(x)
        states = self._initial_states(x, initial_state)
        inputs = x
        if self.training and self.dropout > 0:  # one mask per sequence, as Keras
            keep = torch.full((x.shape[0], 1, x.shape[2]), 1 - self.dropout, device=x.device, dtype=x.dtype)
            inputs = inputs * torch.bernoulli(keep) / (1 - self.dropout)
        if self.go_backwards:
            inputs = inputs.flip(1)
        steps_mask = None if mask is None else (mask.flip(1) if self.go_backwards else mask)
        if steps_mask is None and self._fusable() and self._fused_form():
            outputs, states = self._run_fused_where_possible(inputs, states)
        else:
            outputs, states = self.run_stepwise(inputs, states, steps_mask)
        if self.stateful:
            self.states = [s.detach() for s in states]
        output = outputs if self.return_sequences else outputs[:, -1]
        if self.return_sequences and mask is not None:
            set_mask(output, mask)
        return [output, *states] if self.return_state else output

    def _fused_form(self) -> bool:
        return True

    # torch.compile cannot trace torch's fused CPU kernels (aten.mkldnn_rnn_layer): under
    # compile(jit_compile=True) the recurrence runs eagerly between the compiled parts.
    @torch.compiler.disable
    def _run_fused_where_possible(self, inputs, states):
        if inputs.device.type == "cpu" and torch.is_autocast_enabled("cpu"):
            # oneDNN has no low-precision RNN primitive on many CPUs ("could not create a primitive
            # descriptor"), so under a mixed policy the CPU recurrence runs in float32.
            with torch.autocast("cpu", enabled=False):
                return self.run_fused(inputs.float(), [state.float() for state in states])
        return self.run_fused(inputs, states)

    def input_projection(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.linear(inputs, self.kernel, self.bias)

    def run_stepwise(self, inputs, states, mask):
        """The equations, a step at a time: the input projection for all steps at once, then the
        recurrence. `mask` (batch, timesteps) keeps the state and output of masked steps."""
        projected = self.input_projection(inputs)
        recurrent_keep = None
        if self.training and self.recurrent_dropout > 0:
            keep = torch.full_like(states[0], 1 - self.recurrent_dropout)
            recurrent_keep = torch.bernoulli(keep) / (1 - self.recurrent_dropout)
        outputs = []
        previous_output = torch.zeros_like(states[0])
        for t in range(inputs.shape[1]):
            read = states[0] if recurrent_keep is None else states[0] * recurrent_keep
            output, new_states = self.step(projected[:, t], read, states)
            if mask is not None:
                keep = mask[:, t, None]
                new_states = [torch.where(keep, new, old) for new, old in zip(new_states, states)]
                fallback = torch.zeros_like(output) if self.zero_output_for_mask else previous_output
                output = torch.where(keep, output, fallback)
            outputs.append(output)
            previous_output, states = output, new_states
        return torch.stack(outputs, 1), states

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
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "use_cudnn": self.use_cudnn,
        }
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = self.recurrent_activation_name
        return config


class SimpleRNN(RecurrentLayer):
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


class GRU(RecurrentLayer):
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


class LSTM(RecurrentLayer):
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
