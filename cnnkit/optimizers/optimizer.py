"""Keras-named optimizers with Keras defaults, running torch.optim underneath.

An optimizer is created before the model's weights exist (as in Keras) and binds to them on
the first training step. Differences from Keras, all below float32 noise in practice:
- momentum is torch's `v = m * v + g; w -= lr * v` (Keras: `v = m * v - lr * g; w += v`); the
  two agree while the learning rate is constant;
- Adam's epsilon is added to torch's bias-corrected denominator.
Keras 3's `weight_decay` is decoupled (`w -= lr * wd * w` each step) for every optimizer; so is ours.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import torch

from cnnkit.common import registry
from cnnkit.optimizers.schedules.learning_rate_schedule import LearningRateSchedule


def _positive_finite(value) -> bool:
    """A usable learning rate: a number above 0 and below infinity (NaN fails both tests)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value < math.inf


class Optimizer:
    torch_class: type[torch.optim.Optimizer]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "torch_class", None) is not None:  # not a shared base such as AdamFamily
            registry.register("optimizer", cls, cls.__name__, cls.__name__.lower())

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule | Callable[[int], float] = 0.001,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        decay: float = 0.0,
        name: str | None = None,
        lr: float | None = None,
        **unknown: Any,
    ) -> None:
        kind = type(self).__name__
        if unknown:
            raise TypeError(f"{kind}: unknown argument(s) {', '.join(sorted(unknown))}.")
        if lr is not None:  # Keras 2's name for the learning rate
            learning_rate = lr
        self._schedule = learning_rate if callable(learning_rate) else None
        if self._schedule is None and not _positive_finite(learning_rate):
            raise ValueError(
                f"{kind}: learning_rate must be a positive finite number or a schedule; received {learning_rate!r}"
            )
        if weight_decay is not None and weight_decay < 0:
            raise ValueError(f"{kind}: weight_decay must be >= 0; received weight_decay={weight_decay!r}.")
        clipping = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        for argument, value in clipping.items():
            if value is not None and (not isinstance(value, (int, float)) or value <= 0):
                raise ValueError(f"{kind}: {argument} must be a positive number; received {argument}={value!r}.")
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError(f"{kind}: pass clipnorm or global_clipnorm, not both.")
        if not isinstance(decay, (int, float)) or decay < 0:
            raise ValueError(f"{kind}: decay must be >= 0; received decay={decay!r}.")
        self.name = name or kind.lower()
        self._learning_rate = float(self._schedule(0)) if self._schedule else float(learning_rate)
        self._base_learning_rate = self._learning_rate
        self.weight_decay = weight_decay or 0.0
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.decay = float(decay)  # Keras 2's time-based decay: lr / (1 + decay * iterations)
        self.torch_optimizer: torch.optim.Optimizer | None = None
        self._params: list[torch.Tensor] = []
        self._decayed_params: list[torch.Tensor] = []
        self.iterations = 0  # update steps taken, counted on the host

    def _torch_arguments(self) -> dict:
        raise NotImplementedError

    def build(self, params: Iterable[torch.Tensor]) -> None:
        """Bind to the weights to train (called once, on the first training step)."""
        params = [p for p in params if p.requires_grad]
        if not params:
            raise ValueError(f"{type(self).__name__}: the model has no trainable weights.")
        self.torch_optimizer = self.torch_class(params, lr=self._learning_rate, **self._torch_arguments())
        self._params = params
        self._decayed_params = params if self.weight_decay and not self._decays_itself() else []

    def _decays_itself(self) -> bool:
        return False

    @property
    def built(self) -> bool:
        return self.torch_optimizer is not None

    def zero_grad(self) -> None:
        self.torch_optimizer.zero_grad(set_to_none=True)

    def step(self, grad_scaler=None) -> None:
        """One update: the scheduled learning rate, gradient clipping, weight decay, torch's step.
        With a GradScaler (float16 mixed precision) the gradients are unscaled before clipping,
        and the scaler skips the update when they overflowed."""
        if self._schedule is not None or self.decay:
            self._set_torch_learning_rate(self._rate_at(self.iterations))
        if grad_scaler is not None:
            grad_scaler.unscale_(self.torch_optimizer)
        if self.clipnorm or self.clipvalue or self.global_clipnorm:
            self._clip_gradients()
        if self._decayed_params:  # decoupled weight decay, applied before the update as in Keras
            with torch.no_grad():
                torch._foreach_mul_(self._decayed_params, 1.0 - self._learning_rate * self.weight_decay)
        if grad_scaler is None:
            self.torch_optimizer.step()
        else:
            grad_scaler.step(self.torch_optimizer)
            grad_scaler.update()
        self.iterations += 1

    def apply(self, grads, trainable_variables=None) -> None:
        """Keras's `optimizer.apply(grads, variables)`: one update of `trainable_variables` (the
        weights the optimizer was built on when None) with `grads`. The first call builds the
        optimizer on those variables, as Keras does; a custom train_step that trains two models
        uses one optimizer for each. The other weights it was built on are left as they are."""
        grads = list(grads)
        variables = list(trainable_variables) if trainable_variables is not None else list(self._params)
        if len(grads) != len(variables):
            raise ValueError(f"{type(self).__name__}.apply: {len(grads)} gradients for {len(variables)} variables")
        if not self.built:
            self.build(variables)
        known = {id(p) for p in self._params}
        if any(id(v) not in known for v in variables):
            raise ValueError(
                f"{type(self).__name__}.apply: some variables are not the ones this optimizer was built on; use "
                "one optimizer per set of variables (Keras's rule too)"
            )
        for grad, variable in zip(grads, variables):
            if grad is not None and grad is not variable.grad:
                variable.grad = grad.to(variable.dtype)
        chosen = {id(v) for v in variables}
        others = [(p, p.grad) for p in self._params if id(p) not in chosen and p.grad is not None]
        for param, _ in others:  # torch's optimizers skip a weight without a gradient
            param.grad = None
        decayed = self._decayed_params
        self._decayed_params = [p for p in decayed if id(p) in chosen]
        try:
            self.step()
        finally:
            self._decayed_params = decayed
            for param, grad in others:
                param.grad = grad

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras 2's form: `apply_gradients(zip(grads, variables))`."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def _rate_at(self, step: int) -> float:
        rate = float(self._schedule(step)) if self._schedule is not None else self._base_learning_rate
        return rate / (1.0 + self.decay * step) if self.decay else rate

    def _set_torch_learning_rate(self, rate: float) -> None:
        self._learning_rate = rate
        for group in self.torch_optimizer.param_groups:
            group["lr"] = rate

    @torch.no_grad()
    def _clip_gradients(self) -> None:
        """Keras's clipping, all on the device: each gradient to `clipvalue`, each gradient's norm to
        `clipnorm`, or the norm of all gradients together to `global_clipnorm`."""
        with_grads = [p for p in self._params if p.grad is not None]
        grads = [p.grad for p in with_grads]
        if not grads:
            return
        if self.clipvalue:
            torch._foreach_clamp_min_(grads, -self.clipvalue)
            torch._foreach_clamp_max_(grads, self.clipvalue)
        if self.clipnorm:
            norms = torch._foreach_norm(grads)
            scales = [torch.clamp(self.clipnorm / (n + 1e-6), max=1.0) for n in norms]
            torch._foreach_mul_(grads, scales)
        if self.global_clipnorm:
            torch.nn.utils.clip_grad_norm_(with_grads, self.global_clipnorm)

    @property
    def learning_rate(self) -> float:
        """The rate the next update uses (a schedule's value at the current step)."""
        scheduled = self._schedule is not None or self.decay
        return LearningRate(self._rate_at(self.iterations) if scheduled else self._learning_rate, self)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if self._schedule is not None:
            raise TypeError(f"{type(self).__name__}: the learning rate follows a schedule; it cannot be set.")
        if not _positive_finite(value):
            raise ValueError(
                f"{type(self).__name__}: learning_rate must be a positive finite number; received {value!r}."
            )
        self._learning_rate = self._base_learning_rate = float(value)
        if self.torch_optimizer is not None:
            self._set_torch_learning_rate(self._learning_rate)

    lr = learning_rate

    def get_config(self) -> dict:
        rate = self._schedule if self._schedule is not None else self._base_learning_rate
        return {
            "name": self.name,
            "learning_rate": rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
            "decay": self.decay,
        }


class LearningRate(float):
    """An optimizer's learning rate as Keras scripts read and set it: a float that also has the
    methods of Keras's variable, so `model.optimizer.learning_rate.assign(1e-4)` and Keras 2's
    `K.set_value(model.optimizer.lr, 1e-4)` change the rate as assigning it does."""

    def __new__(cls, value: float, optimizer: Optimizer):
        rate = super().__new__(cls, value)
        rate.optimizer = optimizer
        return rate

    def assign(self, value) -> None:
        self.optimizer.learning_rate = float(value)

    def numpy(self) -> float:
        return float(self)


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer from its Keras name (with Keras defaults) or an Optimizer object."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        found = registry.find("optimizer", identifier)
        if found is None:
            known = ", ".join(name for name in registry.names("optimizer") if name.islower())
            raise ValueError(f"Unknown optimizer {identifier!r}. Expected one of: {known}.")
        return found()
    raise TypeError(f"optimizer must be a name or an Optimizer; received {identifier!r}.")
