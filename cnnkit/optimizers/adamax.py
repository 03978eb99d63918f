"""Adamax."""

from __future__ import annotations

import torch

from cnnkit.optimizers.adam import AdamFamily


class Adamax(AdamFamily):
    """Adamax (Adam with the infinity norm) with Keras defaults: lr 0.001, beta_1 0.9, beta_2
    0.999, epsilon 1e-7. torch adds epsilon to |g| inside the max, Keras to the max itself."""

    torch_class = torch.optim.Adamax
