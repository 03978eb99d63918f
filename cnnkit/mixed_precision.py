"""Keras's mixed precision: weights stay float32, the forward pass computes in float16 or
bfloat16 (torch.autocast), and with float16 the loss is scaled so small gradients survive
(torch.amp.GradScaler, Keras's LossScaleOptimizer).

    cnnkit.mixed_precision.set_global_policy("mixed_float16")   # or "mixed_bfloat16"
    model.compile(...)   # the policy in force at compile() is the model's

Losses, softmax and batch statistics run in float32 under autocast, so, unlike in Keras, the
output layer needs no `dtype="float32"`. float16 pays on GPUs with tensor cores; bfloat16 needs no
loss scaling and pays on GPUs and on CPUs with bfloat16 instructions (AVX512-BF16, AMX). On a CPU
without them it is emulated: the Fashion CNN trained ~12x slower in bfloat16 than in float32 on
this project's AVX2 machine (121 vs 1,522 images/s, batch 128), so keep float32 there.
"""

from __future__ import annotations

import contextlib

import torch

POLICIES = {"float32": None, "mixed_float16": torch.float16, "mixed_bfloat16": torch.bfloat16}


class Policy:
    def __init__(self, name: str) -> None:
        if name not in POLICIES:
            raise ValueError(f"Policy: name must be one of {', '.join(POLICIES)}; received {name!r}")
        self.name = name

    @property
    def compute_dtype(self) -> str:
        return {"float32": "float32", "mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}[self.name]

    @property
    def variable_dtype(self) -> str:
        return "float32"

    @property
    def mixed(self) -> bool:
        return self.name != "float32"

    @property
    def scales_loss(self) -> bool:
        return self.name == "mixed_float16"

    def autocast(self, device: torch.device):
        """The context to run forward passes in (nothing for float32)."""
        dtype = POLICIES[self.name]
        if dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.type, dtype=dtype)

    def __repr__(self) -> str:
        return f'<Policy "{self.name}">'


_policy = Policy("float32")


def set_global_policy(policy: str | Policy) -> None:
    global _policy
    _policy = policy if isinstance(policy, Policy) else Policy(policy)


def global_policy() -> Policy:
    return _policy


# Keras 3's other names for the same setting
set_dtype_policy = set_global_policy
dtype_policy = global_policy
