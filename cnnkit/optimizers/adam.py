"""Adam, and what Adamax and Nadam share with it."""

from __future__ import annotations

import torch

from cnnkit.common import keras_defaults
from cnnkit.optimizers.optimizer import Optimizer


class AdamFamily(Optimizer):
    """What Adam, Adamax and Nadam share: two moment decays and epsilon, Keras's defaults."""

    keras2_learning_rate = 0.001

    def __init__(
        self,
        learning_rate: float | None = None,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs,
    ) -> None:
        if learning_rate is None:  # Adam's is 0.001 in both Keras versions; Adamax's and Nadam's are not
            learning_rate = keras_defaults.pick(0.001, keras2=self.keras2_learning_rate)
        super().__init__(learning_rate, **kwargs)
        for argument, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= value < 1:
                raise ValueError(f"{type(self).__name__}: {argument} must be in [0, 1); received {value!r}.")
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _torch_arguments(self) -> dict:
        return {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon}

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Adam(AdamFamily):
    """Adam with Keras defaults: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7."""

    torch_class = torch.optim.Adam

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.amsgrad = bool(amsgrad)

    def _torch_arguments(self) -> dict:
        return {**super()._torch_arguments(), "amsgrad": self.amsgrad}

    def get_config(self) -> dict:
        return {**super().get_config(), "amsgrad": self.amsgrad}
