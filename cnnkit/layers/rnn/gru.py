"""GRU (Cho et al. 2014) and its cell."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common import keras_defaults
from cnnkit.layers.rnn.recurrent_cell import RecurrentCell
from cnnkit.layers.rnn.rnn import _RecurrentLayer


class GRUCell(RecurrentCell):
    """Keras's GRU. `reset_after=True` (Keras's default, cuDNN's form):
        z = sig(x Wz + h Uz + b), r = sig(x Wr + h Ur + b), h~ = tanh(x Wh + b + r * (h Uh + b')),
        h_t = z * h_{t-1} + (1 - z) * h~;
    its bias is (2, 3 * units): the input bias and the recurrent bias. `reset_after=False` applies
    r before the recurrent kernel (h~ = tanh(x Wh + (r * h) Uh + b)) with one bias, stepwise only;
    it is Keras 2.3's default, taken under Keras 2's defaults (common/keras_defaults.py)."""

    GATES = 3
    DEFAULT_RECURRENT_ACTIVATION = "sigmoid"

    def __init__(self, units: int, *args, reset_after: bool | None = None, **kwargs) -> None:
        self.reset_after = bool(keras_defaults.pick(True, keras2=False) if reset_after is None else reset_after)
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


class GRU(_RecurrentLayer, GRUCell):
    __doc__ = GRUCell.__doc__

    def __init__(self, units: int, *args, use_cudnn="auto", **kwargs) -> None:
        options = self._pop_sequence_options(kwargs)
        super().__init__(units, *args, **kwargs)
        self._finish(options, use_cudnn)
