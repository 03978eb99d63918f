"""RNN: runs a cell over a sequence; the base the LSTM, GRU and SimpleRNN layers share."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, api_shape
from cnnkit.layers.core.masking import get_mask, set_mask
from cnnkit.layers.layer import Layer
from cnnkit.layers.rnn.recurrent_cell import RecurrentCell, build_cell, cell_step, output_size, state_sizes
from cnnkit.layers.rnn.stacked_rnn_cells import StackedRNNCells

SEQUENCE_OPTIONS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask")


class SequenceRunner:
    """Runs a cell over the steps of a sequence: initial and carried states, masks, dropout
    masks, direction, and what is returned. Mixed into RNN (whose cell is `self.cell`) and into
    LSTM/GRU/SimpleRNN (which are their own cells)."""

    keras_arguments = SEQUENCE_OPTIONS  # taken through **kwargs: what a Keras config may name

    @property
    def stepper(self):
        return self

    def _set_sequence_options(
        self,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
    ) -> None:
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states: list[torch.Tensor] | None = None  # the carried states of a stateful layer

    @staticmethod
    def _pop_sequence_options(kwargs: dict) -> dict:
        return {name: kwargs.pop(name) for name in SEQUENCE_OPTIONS if name in kwargs}

    def _built_in(self) -> bool:
        return isinstance(self.stepper, RecurrentCell)

    # ---- shapes ----------------------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Shape):
        if len(input_shape) != 3:
            raise self.error(
                f"expected input of rank 3 (batch, timesteps, features); received shape {tuple(input_shape)}"
            )
        if input_shape[-1] is None:
            raise self.error("the features axis of the input must be known")
        units = output_size(self.stepper)
        output = (input_shape[0], input_shape[1], units) if self.return_sequences else (input_shape[0], units)
        if self.return_state:
            return [output, *[(input_shape[0], size) for size in state_sizes(self.stepper)]]
        return output

    def working_floats(self, inputs: tuple) -> int:
        """Floats held per sample in a call, what evaluate/predict size their CPU pieces by (see
        training/inference_pieces.py). Stepwise: the gates and outputs of every timestep. torch's fused
        kernel keeps every step's output but only one step's gates; counting those, the LSTM
        classifier's pieces hold 512 sequences, which predicted 10-15% faster than pieces of 114
        (counting every step's gates) or whole batches of 1,024 on the 2-core benchmark machine."""
        timesteps = inputs[0].shape[1] if inputs and inputs[0].dim() == 3 else 1
        units, gates = output_size(self.stepper), getattr(self.stepper, "GATES", 1)
        if inputs and self._fused(get_mask(inputs[0])):
            return (timesteps + gates) * units
        return timesteps * (gates + 1) * units

    # ---- running --------------------------------------------------------------------------------
    def _fused(self, mask) -> bool:
        cell = self.stepper
        return mask is None and self._built_in() and cell._fusable() and cell._fused_form()

    def forward(self, x: torch.Tensor, initial_state=None, mask=None, training=None):
        if not self.built:
            self.build_for(api_shape(x), x.device)
        return self.call(x, initial_state=initial_state, mask=mask)

    def _initial_states(self, x: torch.Tensor, initial_state) -> list[torch.Tensor]:
        batch, sizes = x.shape[0], state_sizes(self.stepper)
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if [tuple(s.shape) for s in states] != [(batch, size) for size in sizes]:
                shapes = (
                    f"shape ({batch}, {sizes[0]})" if len(set(sizes)) == 1 else f"shapes {[(batch, s) for s in sizes]}"
                )
                received = [tuple(s.shape) for s in states]
                raise self.error(f"initial_state must be {len(sizes)} tensor(s) of {shapes}; received {received}")
            return [s.to(x.dtype) for s in states]
        if self.stateful and self.states is not None:
            if self.states[0].shape[0] != batch:
                raise self.error(
                    f"a stateful layer needs the same batch size every call: {self.states[0].shape[0]}, then "
                    f"{batch}; call reset_states() between data sets"
                )
            return self.states
        return [x.new_zeros(batch, size) for size in sizes]

    def reset_states(self, states=None) -> None:
        """Forget (or set) the carried states of a stateful layer."""
        if states is None:
            self.states = None
            return
        device = next((p.device for p in self.parameters()), None)
        self.states = [torch.as_tensor(s, dtype=torch.float32, device=device) for s in states]

    def call(self, x: torch.Tensor, initial_state=None, mask=None):
        if x.dim() != 3:
            raise self.error(f"expected input of rank 3 (batch, timesteps, features); received shape {tuple(x.shape)}")
        built_for = getattr(self.stepper, "input_dim", x.shape[-1])
        if x.shape[-1] != built_for:
            raise self.error(f"was built for {built_for} features; received {x.shape[-1]}")
        mask = mask if mask is not None else get_mask(x)
        states = self._initial_states(x, initial_state)
        inputs = x
        dropout = getattr(self.stepper, "dropout", 0.0) if self._built_in() else 0.0
        if self.training and dropout > 0:  # one mask per sequence, as Keras
            keep = torch.full((x.shape[0], 1, x.shape[2]), 1 - dropout, device=x.device, dtype=x.dtype)
            inputs = inputs * torch.bernoulli(keep) / (1 - dropout)
        if self.go_backwards:
            inputs = inputs.flip(1)
        steps_mask = None if mask is None else (mask.flip(1) if self.go_backwards else mask)
        if self._fused(steps_mask):
            outputs, states = self._run_fused_where_possible(inputs, states)
        else:
            outputs, states = self.run_stepwise(inputs, states, steps_mask)
        if self.stateful:
            self.states = [s.detach() for s in states]
        output = outputs if self.return_sequences else outputs[:, -1]
        if self.return_sequences and mask is not None:
            set_mask(output, mask)
        return [output, *states] if self.return_state else output

    # torch.compile cannot trace torch's fused CPU kernels (aten.mkldnn_rnn_layer): under
    # compile(jit_compile=True) the recurrence runs eagerly between the compiled parts.
    @torch.compiler.disable
    def _run_fused_where_possible(self, inputs, states):
        if inputs.device.type == "cpu" and torch.is_autocast_enabled("cpu"):
            # oneDNN has no low-precision RNN primitive on many CPUs ("could not create a primitive
            # descriptor"), so under a mixed policy the CPU recurrence runs in float32.
            with torch.autocast("cpu", enabled=False):
                return self.stepper.run_fused(inputs.float(), [state.float() for state in states])
        return self.stepper.run_fused(inputs, states)

    def run_stepwise(self, inputs, states, mask):
        """The equations, a step at a time (cnnkit's cells: the input projection for all steps at
        once, then the recurrence). `mask` (batch, timesteps) keeps the state and output of
        masked steps."""
        cell = self.stepper
        if self._built_in():
            projected = cell.input_projection(inputs)
            recurrent_keep = None
            if self.training and cell.recurrent_dropout > 0:
                keep = torch.full_like(states[0], 1 - cell.recurrent_dropout)
                recurrent_keep = torch.bernoulli(keep) / (1 - cell.recurrent_dropout)

            def step(t, states):
                read = states[0] if recurrent_keep is None else states[0] * recurrent_keep
                return cell.step(projected[:, t], read, states)
        else:

            def step(t, states):
                return cell_step(cell, inputs[:, t], states, self.training)

        outputs, previous_output = [], None
        for t in range(inputs.shape[1]):
            output, new_states = step(t, states)
            if mask is not None:
                keep = mask[:, t, None]
                new_states = [torch.where(keep, new, old) for new, old in zip(new_states, states)]
                if previous_output is None or self.zero_output_for_mask:
                    fallback = torch.zeros_like(output)
                else:
                    fallback = previous_output
                output = torch.where(keep, output, fallback)
            outputs.append(output)
            previous_output, states = output, new_states
        return torch.stack(outputs, 1), states

    # ---- config -----------------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {**super().get_config(), **{name: getattr(self, name) for name in SEQUENCE_OPTIONS}}


class RNN(SequenceRunner, Layer):
    """Keras's RNN(cell): `cell` over every step of the sequence. A cell is one of Keras's
    (SimpleRNNCell, GRUCell, LSTMCell), a list of cells (stacked, StackedRNNCells), or a user's
    layer with `state_size` and `call(inputs, states)` returning (output, new_states)."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs) -> None:  # fmt: skip
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        if not (hasattr(cell, "state_size") and hasattr(cell, "call")):
            raise self.error(f"cell must have state_size and call(inputs, states); received {cell!r}")
        self.cell = cell
        self._set_sequence_options(return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask)

    @property
    def stepper(self):
        return self.cell

    def build(self, input_shape: Shape) -> None:
        build_cell(self.cell, input_shape[-1], None)

    def get_config(self) -> dict:
        from cnnkit.layers.serialization import serialize

        return {**super().get_config(), "cell": serialize(self.cell)}

    @classmethod
    def from_config(cls, config: dict):
        from cnnkit.layers.serialization import deserialize

        config = dict(config)
        return cls(deserialize(config.pop("cell")), **config)


class _RecurrentLayer(SequenceRunner):
    """What LSTM, GRU and SimpleRNN add to their cells: the layer's own arguments, Keras's
    `use_cudnn` among them."""

    def _finish(self, options: dict, use_cudnn) -> None:
        if use_cudnn not in ("auto", True, False):
            raise self.error(f"use_cudnn must be 'auto', True or False; received use_cudnn={use_cudnn!r}")
        self.use_cudnn = use_cudnn
        self._set_sequence_options(**options)
        if use_cudnn is True and not self._fusable():
            raise self.error(
                "use_cudnn=True needs the default activations, recurrent_dropout=0 (and GRU reset_after=True)"
            )

    def get_config(self) -> dict:
        return {**super().get_config(), "use_cudnn": self.use_cudnn}
