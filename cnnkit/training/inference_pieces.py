"""evaluate and predict on the CPU: each batch goes through the model in cache-sized pieces.

At batch 1024, ResNet20's first activations are 64 MB each, the Fashion CNN's 100 MB. Tensors that
large miss every cache (and, above glibc's 32 MB mmap threshold, each one is likely fresh memory
whose pages fault in on first touch), so the forward spends more time moving memory than
computing. Cut into pieces whose largest activation is about 8 MiB, the same forward ran 2.9x
faster for ResNet20, 1.9x for the Fashion CNN, 1.3x for LeNet-5 and 1.1x for the LSTM classifier
on the 2-core benchmark machine (bench/README.md), with identical outputs: in inference every
sample's result is its own, whatever else is in the batch.

Training keeps the user's batch (it sets the gradient and batch norm's statistics), the GPU takes
batches whole (its allocator reuses memory and it wants large batches), and stateful recurrent
layers keep theirs (their states have the batch's size).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from cnnkit.training.batch_sources import batch_length, take
from cnnkit.training.inference_gradients import run_inference

# The largest activation of one piece. Measured on a 32 MiB-L3 CPU: pieces of 4-16 MiB ran within
# noise of each other, and 2x faster than 64-100 MB ones.
PIECE_BYTES = 8 * 2**20
SMALLEST_PIECE = 16  # below this, per-call overhead outweighs what the cache gives back


def _floats(output) -> int:
    if isinstance(output, torch.Tensor):
        return output.numel()
    if isinstance(output, (list, tuple)):
        return sum(_floats(part) for part in output)
    return 0


def _working_floats(module: nn.Module, inputs: tuple, output) -> int:
    """What one sample's call of `module` holds in memory: its output, or what the layer says it
    holds inside (a recurrent layer's gates for every timestep)."""
    inside = getattr(module, "working_floats", None)
    return inside(inputs) if inside is not None else _floats(output)


def largest_activation(model: nn.Module, one_sample) -> int:
    """The most floats any module holds for one sample, measured by running that sample once."""
    largest = 0

    def record(module, inputs, output) -> None:
        nonlocal largest
        largest = max(largest, _working_floats(module, inputs, output))

    handles = [module.register_forward_hook(record) for module in model.modules()]
    try:
        run_inference(model, lambda: model(one_sample))
    finally:
        for handle in handles:
            handle.remove()
    return largest


def piece_size(model: nn.Module, x) -> int | None:
    """How many samples of `x` to run at once in inference; None to run the batch whole."""
    first = x[0] if isinstance(x, tuple) else x
    batch = batch_length(x)
    if first.device.type != "cpu" or batch <= SMALLEST_PIECE or model.training:
        return None
    modules = list(model.modules())
    if any(getattr(module, "stateful", False) for module in modules):
        return None
    per_sample = _per_sample_bytes(model, x, len(modules))
    pieces = math.ceil(batch * per_sample / PIECE_BYTES)
    if pieces <= 1:
        return None
    return max(SMALLEST_PIECE, math.ceil(batch / pieces))


def _per_sample_bytes(model: nn.Module, x, module_count: int) -> int:
    """largest_activation of one sample, in bytes, measured once per input shape: every later
    evaluate/predict call with that shape reuses it (the measuring forward cost 1.5 ms a call, 2%
    of an LSTM classifier's predict of 1,024 sequences). A layer added since measures again."""
    parts = x if isinstance(x, tuple) else (x,)
    key = (tuple((tuple(t.shape[1:]), t.dtype) for t in parts), module_count)
    cache = model.__dict__.setdefault("_per_sample_bytes", {})
    if key not in cache:
        cache[key] = largest_activation(model, take(x, slice(0, 1))) * parts[0].element_size()
    return cache[key]


def in_pieces(run: Callable, x, piece: int | None):
    """`run(x)`, computed `piece` samples at a time and joined (each output joined separately)."""
    if piece is None or batch_length(x) <= piece:
        return run(x)
    outputs = [run(take(x, slice(start, start + piece))) for start in range(0, batch_length(x), piece)]
    if isinstance(outputs[0], (list, tuple)):
        return [torch.cat(parts) for parts in zip(*outputs)]
    return torch.cat(outputs)
