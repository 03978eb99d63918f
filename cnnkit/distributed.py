"""Data parallelism through PyTorch's own engine: torchrun starts the processes, torch.distributed
connects them, DistributedDataParallel averages the gradients.

    torchrun --nproc-per-node 2 my_script.py            # a script that calls model.fit
    torchrun --nproc-per-node 2 -m cnnkit train ...     # the command line

Under torchrun (WORLD_SIZE > 1 in the environment) `fit` joins the process group by itself:
NCCL when the model is on a GPU (each process on cuda:LOCAL_RANK), gloo on the CPU. As in Keras's
distribution API, `batch_size` is the global batch: each process takes batch_size / world_size
samples of it, so a script gives the same updates on one process or many. Arrays are sharded with
DistributedSampler's rule (each epoch's permutation, padded to a multiple of the world size, every
world_size-th sample to a process). Epoch metrics are summed over the processes before they are
logged; only process 0 prints, writes checkpoints, logs and reports. `evaluate` scores each
process's share and reduces; `predict` runs all samples on each process and returns them all.
"""

from __future__ import annotations

import atexit
import os
import warnings

import torch
import torch.distributed as dist
from torch import nn


def launched() -> bool:
    """Started by torchrun (or another launcher that sets WORLD_SIZE) with several processes."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def world_size() -> int:
    return dist.get_world_size() if active() else 1


def rank() -> int:
    """This process's rank; under torchrun, torchrun's RANK even before the process group starts
    (fit starts it), so what a script prints while it sets up comes from process 0 alone."""
    if active():
        return dist.get_rank()
    return int(os.environ.get("RANK", "0")) if launched() else 0


def is_main() -> bool:
    """Process 0, the one that prints and writes files (also True without distribution)."""
    return rank() == 0


def local_device() -> torch.device | None:
    """Under torchrun on a GPU machine, this process's own GPU (cuda:LOCAL_RANK)."""
    if launched() and torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return None


def ensure_started(device: torch.device) -> bool:
    """Join the process group if launched and not yet joined; True when running distributed."""
    if not launched():
        return active()
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        atexit.register(_leave_process_group)
    return active()


def _leave_process_group() -> None:
    """At exit, before the interpreter tears itself down. A process group still alive then is
    destroyed with the rest, and a process that finished first (one that writes no report) could
    abort there: "terminate called without an active exception", exit code -6 under torchrun."""
    if dist.is_initialized():
        dist.destroy_process_group()


def local_batch_size(batch_size: int, where: str) -> int:
    world = world_size()
    if batch_size % world:
        raise ValueError(
            f"{where}: batch_size={batch_size} is the global batch and must divide evenly among the {world} processes"
        )
    return batch_size // world


def same_permutation(count: int, device: torch.device) -> torch.Tensor:
    """This epoch's shuffle, drawn on process 0 and sent to all, so every process cuts the same one."""
    order = torch.randperm(count, device=device)
    if active():
        carrier = order.cuda() if dist.get_backend() == "nccl" and order.device.type != "cuda" else order
        dist.broadcast(carrier, src=0)
        order = carrier.to(order.device)
    return order


def shard(order: torch.Tensor, pad: bool) -> torch.Tensor:
    """This process's samples: every world_size-th of `order`, after padding it (for training) with
    its first samples to a multiple of the world size, as DistributedSampler does."""
    world = world_size()
    if world == 1:
        return order
    if pad and len(order) % world:
        extra = world - len(order) % world
        order = torch.cat([order, order[:extra]])
    return order[rank() :: world]


def sum_over_processes(values: list) -> list[torch.Tensor]:
    """Element-wise sums over the processes of numbers and tensors of any shape, in one collective
    (float64, so that counts stay exact)."""
    if not active() or not values:
        return values
    device = torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else "cpu"
    tensors = [torch.as_tensor(v, dtype=torch.float64).to(device) for v in values]
    flat = torch.cat([t.reshape(-1) for t in tensors])
    dist.all_reduce(flat)
    parts = flat.cpu().split([t.numel() for t in tensors])
    return [part.reshape(t.shape) for part, t in zip(parts, tensors)]


def wrap_for_training(module: nn.Module) -> nn.Module | None:
    """`module` (the model's training forward) in a DistributedDataParallel wrapper when running
    distributed (it also sends process 0's weights to every process), else None."""
    if not active():
        return None
    from torch.nn.parallel import DistributedDataParallel

    # Convolution weights' gradients come out channels-last (the images are) while the weights are
    # not, so DDP copies them into its buckets stride by stride and says so once per process. It
    # copies every gradient into its buckets anyway (no gradient_as_bucket_view); the hint is noise.
    warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides", category=UserWarning)
    device = next((p.device for p in module.parameters()), torch.device("cpu"))
    ids = [device] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids)
