"""LSTM (Hochreiter & Schmidhuber 1997) and its cell."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.layers.rnn.recurrent_cell import RecurrentCell
from cnnkit.layers.rnn.rnn import _RecurrentLayer


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


class LSTM(_RecurrentLayer, LSTMCell):
    __doc__ = LSTMCell.__doc__

    def __init__(self, units: int, *args, use_cudnn="auto", **kwargs) -> None:
        options = self._pop_sequence_options(kwargs)
        super().__init__(units, *args, **kwargs)
        self._finish(options, use_cudnn)
