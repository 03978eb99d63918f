"""Background loading of a PyDataset's batches: threads or DataLoader worker processes prepare the
next batches while the model trains on the current one.

When the model is on a GPU, loaded batches are put in pinned (page-locked) memory by the loaders,
so that their copy to the device runs asynchronously (see batch_sources.to_device).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from torch.utils.data import DataLoader

from cnnkit import distributed
from cnnkit.training.batch_sources import Batch, BatchSource


def pinned(batch):
    """`batch` with its tensors and arrays in pinned memory (NumPy arrays become tensors)."""
    if isinstance(batch, torch.Tensor):
        return batch.pin_memory()
    if isinstance(batch, (list, tuple)):
        return type(batch)(pinned(part) for part in batch)
    if isinstance(batch, dict):
        return {key: pinned(value) for key, value in batch.items()}
    if isinstance(batch, np.ndarray) and batch.dtype != object:
        return torch.from_numpy(np.ascontiguousarray(batch)).pin_memory()
    return batch


def in_threads(dataset, order: list[int], pin: bool) -> Iterator:
    """dataset[i] for i in order, made by `dataset.workers` threads, at most `max_queue_size` ahead."""
    make = (lambda i: pinned(dataset[i])) if pin else dataset.__getitem__
    ahead = max(dataset.max_queue_size, dataset.workers)
    with ThreadPoolExecutor(dataset.workers, thread_name_prefix="cnnkit-loader") as pool:
        waiting = deque()
        try:
            for index in order:
                waiting.append(pool.submit(make, index))
                if len(waiting) >= ahead:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
        finally:
            for future in waiting:  # training stopped early: drop what was queued
                future.cancel()


def in_processes(dataset, order: list[int], pin: bool) -> Iterator:
    """dataset[i] for i in order, made by `dataset.workers` DataLoader worker processes. A new
    loader each epoch, so that what on_epoch_end changed reaches the workers (as in Keras)."""
    workers = dataset.workers
    loader = DataLoader(
        dataset,
        batch_size=None,  # the dataset's items are whole batches
        sampler=order,
        num_workers=workers,
        prefetch_factor=max(1, math.ceil(dataset.max_queue_size / workers)),
        pin_memory=pin,  # NumPy arrays become tensors (DataLoader's default_convert), then pinned
    )
    yield from loader


class DatasetBatches(BatchSource):
    """The batches of a PyDataset, an epoch at a time: each batch once, in shuffled order when
    `shuffle`; `steps` (steps_per_epoch) takes only the first ones.

    `shard` under torchrun, as for arrays (see batch_sources.ArrayBatches): each process takes every
    world_size-th batch of the same order, so a batch is one process's share of a global step."""

    def __init__(
        self, dataset, steps: int | None, shuffle: bool, convert: Callable, where: str, pin: bool, shard=None
    ) -> None:
        count = dataset.num_batches
        if not isinstance(count, int) or count < 1:
            raise ValueError(f"{where}: the PyDataset has no batches (its __len__ returned {count!r})")
        if steps is not None and steps > count:
            raise ValueError(f"{where}: steps={steps} is more than the PyDataset's {count} batches")
        self.dataset, self.shuffle, self.convert, self.where, self.pin = dataset, shuffle, convert, where, pin
        self.count, self.shard = count, shard
        per_process = count if shard is None else len(distributed.shard(torch.arange(count), shard == "train"))
        self.steps = min(steps or per_process, per_process)
        self._checked = False

    def _order(self) -> list[int]:
        if self.shard is None:
            order = torch.randperm(self.count) if self.shuffle else torch.arange(self.count)
        else:
            cpu = torch.device("cpu")
            order = distributed.same_permutation(self.count, cpu) if self.shuffle else torch.arange(self.count)
            order = distributed.shard(order, pad=self.shard == "train")
        return order.tolist()[: self.steps]

    def start_at_epoch(self, epoch: int) -> None:
        """fit starts at `epoch` (initial_epoch, or where BackupAndRestore resumes): a dataset whose
        batches are keyed by the epoch (a seeded ImageDataGenerator.flow) continues from there."""
        start = getattr(self.dataset, "start_at_epoch", None)
        if start is not None:
            start(epoch)

    def epoch(self) -> Iterator[Batch]:
        dataset = self.dataset
        dataset.on_epoch_begin()
        order = self._order()
        if getattr(dataset, "use_multiprocessing", False):
            raw_batches = in_processes(dataset, order, self.pin)
        elif getattr(dataset, "workers", 1) > 1:
            raw_batches = in_threads(dataset, order, self.pin)
        else:
            raw_batches = (dataset[i] for i in order)
        for raw in raw_batches:
            yield self.convert(raw, not self._checked)
            self._checked = True
        dataset.on_epoch_end()
