"""Nadam."""

from __future__ import annotations

import torch

from cnnkit.optimizers.adam import AdamFamily


class Nadam(AdamFamily):
    """Adam with Nesterov momentum (Dozat 2016) with Keras 3's defaults: lr 0.001 (Keras 2's: 0.002),
    beta_1 0.9, beta_2 0.999, epsilon 1e-7, and Keras's momentum schedule beta_1 * (1 - 0.5 * 0.96^t)."""

    keras2_learning_rate = 0.002
    torch_class = torch.optim.NAdam

    def _torch_arguments(self) -> dict:
        # torch's schedule is 0.96^(t * momentum_decay): a decay of 1 is Keras's 0.96^t.
        return {**super()._torch_arguments(), "momentum_decay": 1.0}
