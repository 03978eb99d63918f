"""Adagrad."""

from __future__ import annotations

import torch

from cnnkit.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad with Keras defaults: lr 0.001, initial_accumulator_value 0.1, epsilon 1e-7."""

    torch_class = torch.optim.Adagrad

    def __init__(
        self, learning_rate: float = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7, **kwargs
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _torch_arguments(self) -> dict:
        return {"initial_accumulator_value": self.initial_accumulator_value, "eps": self.epsilon}

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
