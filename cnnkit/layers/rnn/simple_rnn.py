"""SimpleRNN and its cell: h = activation(x W + h U + b)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.rnn.recurrent_cell import RecurrentCell
from cnnkit.layers.rnn.rnn import _RecurrentLayer


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


class SimpleRNN(_RecurrentLayer, SimpleRNNCell):
    __doc__ = SimpleRNNCell.__doc__

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, use_cudnn="auto", **kwargs) -> None:
        options = self._pop_sequence_options(kwargs)
        super().__init__(units, activation, use_bias, **kwargs)
        self._finish(options, use_cudnn)

    def get_config(self) -> dict:
        """Keras's SimpleRNN has no use_cudnn (cnnkit's runs torch's fused kernel too): the config
        names it only when set, so real Keras loads the usual SimpleRNN."""
        config = super().get_config()
        if config.get("use_cudnn") == "auto":
            del config["use_cudnn"]
        return config
