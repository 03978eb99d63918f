"""Keras's learning-rate schedules: callables from the optimizer's step count to a learning rate.

Pass one as `learning_rate=` to any optimizer; the rate then changes every batch (every
optimizer step), as in Keras. Each schedule is plain arithmetic on the host, so it costs no
device synchronisation.
"""

from __future__ import annotations

import math


class LearningRateSchedule:
    """Base class: `schedule(step)` is the learning rate for optimizer step `step` (from 0)."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}


def _positive(value, name: str, owner: str) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive number; received {name}={value!r}")


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`; with staircase=True the
    exponent is an integer, so the rate drops in steps."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        _positive(initial_learning_rate, "initial_learning_rate", "ExponentialDecay")
        _positive(decay_steps, "decay_steps", "ExponentialDecay")
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.decay_rate, self.staircase, self.name = float(decay_rate), bool(staircase), name

    def __call__(self, step: int) -> float:
        exponent = step / self.decay_steps
        if self.staircase:
            exponent = math.floor(exponent)
        return self.initial_learning_rate * self.decay_rate**exponent

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` up to step `boundaries[0]` (inclusive), `values[1]` up to `boundaries[1]`, ...,
    and `values[-1]` after the last boundary."""

    def __init__(self, boundaries, values, name=None):
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"PiecewiseConstantDecay: values must have one more entry than boundaries; received "
                f"{len(boundaries)} boundaries and {len(values)} values"
            )
        if list(boundaries) != sorted(boundaries):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase; received {list(boundaries)}")
        self.boundaries, self.values, self.name = list(boundaries), [float(v) for v in values], name

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values}


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (floored with staircase=True)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        _positive(initial_learning_rate, "initial_learning_rate", "InverseTimeDecay")
        _positive(decay_steps, "decay_steps", "InverseTimeDecay")
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.decay_rate, self.staircase, self.name = float(decay_rate), bool(staircase), name

    def __call__(self, step: int) -> float:
        ratio = step / self.decay_steps
        if self.staircase:
            ratio = math.floor(ratio)
        return self.initial_learning_rate / (1 + self.decay_rate * ratio)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
        }


class PolynomialDecay(LearningRateSchedule):
    """From `initial_learning_rate` to `end_learning_rate` over `decay_steps` along
    `(1 - step / decay_steps) ** power`; with cycle=True the decay restarts, each cycle longer."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False, name=None):
        _positive(initial_learning_rate, "initial_learning_rate", "PolynomialDecay")
        _positive(decay_steps, "decay_steps", "PolynomialDecay")
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.end_learning_rate, self.power = float(end_learning_rate), float(power)
        self.cycle, self.name = bool(cycle), name

    def __call__(self, step: int) -> float:
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps = decay_steps * max(1, math.ceil(step / decay_steps))
        else:
            step = min(step, decay_steps)
        fraction = 1 - step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * fraction**self.power + self.end_learning_rate

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
        }


class CosineDecay(LearningRateSchedule):
    """Optional linear warm-up from `initial_learning_rate` to `warmup_target` over `warmup_steps`,
    then a half cosine from there down to `alpha` times it over `decay_steps`."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None, warmup_target=None, warmup_steps=0):
        if not isinstance(initial_learning_rate, (int, float)) or initial_learning_rate < 0:
            raise ValueError(f"CosineDecay: initial_learning_rate must be >= 0; received {initial_learning_rate!r}")
        _positive(decay_steps, "decay_steps", "CosineDecay")
        self.initial_learning_rate, self.decay_steps, self.alpha = float(initial_learning_rate), decay_steps, alpha
        self.warmup_target, self.warmup_steps, self.name = warmup_target, int(warmup_steps), name

    def __call__(self, step: int) -> float:
        if self.warmup_target is not None and step < self.warmup_steps:
            return self.initial_learning_rate + (self.warmup_target - self.initial_learning_rate) * (
                step / self.warmup_steps
            )
        start = self.initial_learning_rate if self.warmup_target is None else self.warmup_target
        step = min(max(step - (self.warmup_steps if self.warmup_target is not None else 0), 0), self.decay_steps)
        cosine = 0.5 * (1 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """SGDR (Loshchilov & Hutter): cosine decay over `first_decay_steps`, then warm restarts, each
    period `t_mul` times longer and starting at `m_mul` times the previous peak."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name=None):
        _positive(initial_learning_rate, "initial_learning_rate", "CosineDecayRestarts")
        _positive(first_decay_steps, "first_decay_steps", "CosineDecayRestarts")
        self.initial_learning_rate, self.first_decay_steps = float(initial_learning_rate), first_decay_steps
        self.t_mul, self.m_mul, self.alpha, self.name = float(t_mul), float(m_mul), float(alpha), name

    def __call__(self, step: int) -> float:
        fraction = step / self.first_decay_steps
        if self.t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1 - fraction * (1 - self.t_mul)) / math.log(self.t_mul))
            done = (1 - self.t_mul**restart) / (1 - self.t_mul)
            fraction = (fraction - done) / self.t_mul**restart
        cosine = 0.5 * self.m_mul**restart * (1 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
        }
