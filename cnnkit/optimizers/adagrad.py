"""Adagrad."""

from __future__ import annotations

import torch

from cnnkit.common import keras_defaults
from cnnkit.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad with Keras 3's defaults: lr 0.001, initial_accumulator_value 0.1, epsilon 1e-7 (Keras
    2's: lr 0.01, accumulators starting at 0, under Keras 2's defaults)."""

    torch_class = torch.optim.Adagrad

    def __init__(
        self,
        learning_rate: float | None = None,
        initial_accumulator_value: float | None = None,
        epsilon: float = 1e-7,
        **kwargs,
    ) -> None:
        super().__init__(keras_defaults.pick(0.001, keras2=0.01) if learning_rate is None else learning_rate, **kwargs)
        if initial_accumulator_value is None:
            initial_accumulator_value = keras_defaults.pick(0.1, keras2=0.0)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _torch_arguments(self) -> dict:
        return {"initial_accumulator_value": self.initial_accumulator_value, "eps": self.epsilon}

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
