"""Adamax."""

from __future__ import annotations

import torch

from cnnkit.optimizers.adam import AdamFamily


class Adamax(AdamFamily):
    """Adamax (Adam with the infinity norm) with Keras 3's defaults: lr 0.001 (Keras 2's: 0.002),
    beta_1 0.9, beta_2 0.999, epsilon 1e-7. torch adds epsilon to |g| inside the max, Keras to the
    max itself."""

    keras2_learning_rate = 0.002
    torch_class = torch.optim.Adamax
