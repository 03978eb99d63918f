"""The model's forward as training calls it, as a module of its own: what DistributedDataParallel
wraps under torchrun and what torch.compile compiles with `compile(jit_compile=True)`."""

from __future__ import annotations

from torch import nn


class TrainingForward(nn.Module):
    """`forward(x, logits)`: the logits when the loss absorbs the output activation, else the output."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x, logits: bool = False):
        return self.model.forward_logits(x) if logits else self.model(x)
