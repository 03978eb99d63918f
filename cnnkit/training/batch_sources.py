"""Where data enters: arrays, tensors, generators and DataLoaders become device batches.

Arrays and tensors are converted once per call (channels-last -> NCHW, float32, onto the
model's device); each epoch then only indexes them. Generators and DataLoaders are converted
batch by batch, since their batches do not exist beforehand.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import torch

from cnnkit import distributed
from cnnkit.common.layout import Shape, api_channels_first, format_shape
from cnnkit.training.labels import as_tensor

Batch = tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]


def is_array(data) -> bool:
    return isinstance(data, (np.ndarray, torch.Tensor)) or (
        isinstance(data, (list, tuple)) and len(data) > 0 and isinstance(data[0], (int, float))
    )


def convert_inputs(x, expected: Shape | None, device: torch.device, where: str) -> torch.Tensor:
    """Model inputs as float32 on `device`, images NCHW.

    Images are channels-last (N, H, W, C) at the API. A torch tensor already NCHW (N, C, H, W),
    as torchvision's loaders give, is accepted as is when that is unambiguous.
    """
    x = as_tensor(x)
    if x.dim() < 2:
        raise ValueError(
            f"{where}: x must have a batch axis and at least one feature axis; received shape {tuple(x.shape)}"
        )
    if x.dim() == 4 and api_channels_first():  # the program set image_data_format "channels_first"
        x = x.permute(0, 2, 3, 1)
    sample = tuple(x.shape[1:])
    channels_first = False
    if expected is not None:
        expected_sample = expected[1:]
        if len(sample) + 1 == len(expected_sample) and expected_sample[-1] == 1:
            # Keras 3's convenience: (N, 28, 28) for a model that takes (28, 28, 1) gets its
            # trailing axis of one channel (a view, no copy).
            if all(e is None or s == e for s, e in zip(sample, expected_sample[:-1])):
                x, sample = x.unsqueeze(-1), (*sample, 1)
        fits = len(sample) == len(expected_sample) and all(e is None or s == e for s, e in zip(sample, expected_sample))
        if x.dim() == 4 and not api_channels_first() and len(expected_sample) == 3:
            h, w, c = expected_sample
            channels_first = all(e is None or s == e for s, e in zip(sample, (c, h, w)))
            if fits and channels_first:  # (N, 3, 3, 3): the shape cannot tell; Keras's layout wins
                warnings.warn(
                    f"{where}: x is a torch tensor of shape {tuple(x.shape)}, which reads as channels-last "
                    "(Keras's layout, taken here) and as channels-first; permute it to (N, H, W, C) or pass "
                    "a NumPy array to make sure",
                    stacklevel=4,
                )
                channels_first = False
        if not fits and not channels_first:
            raise ValueError(
                f"{where}: the model expects inputs of shape {format_shape(expected_sample)} "
                f"(channels-last, without the batch axis); received x of shape {tuple(x.shape)}"
            )
    if x.dim() == 4:
        # Images are kept channels-last in memory (torch's channels_last format): NumPy's NHWC
        # bytes need no reordering, and convolutions and pooling run faster on it.
        nhwc = x if not channels_first else x.permute(0, 2, 3, 1)
        if nhwc.is_contiguous() and nhwc.dtype == torch.float32 and nhwc.device == device:
            return nhwc.permute(0, 3, 1, 2)  # already what the model takes: no copy
        if nhwc.device != device and nhwc.element_size() < 4:
            nhwc = to_device(nhwc.contiguous(), device)  # move uint8 images as bytes: 4x less to copy
        out = torch.empty(nhwc.shape, dtype=torch.float32, device=device)
        out.copy_(nhwc, non_blocking=True)  # one pass: dtype and device together
        return out.permute(0, 3, 1, 2)
    if x.device != device:  # move the narrower of the two dtypes
        x = to_device(x if x.element_size() <= 4 else x.float(), device)
    return x.float()


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """`tensor` on `device`. A copy from the host to a GPU is asynchronous: a blocking copy would
    wait for the GPU to finish all queued work (a host sync every batch); from pinned memory the
    transfer itself also overlaps the GPU's work, from pageable memory CUDA stages it first."""
    return tensor.to(device, non_blocking=True)


def batch_length(x) -> int:
    """The number of samples in a batch: one tensor, or a tuple of them (one per model input)."""
    return x[0].shape[0] if isinstance(x, tuple) else x.shape[0]


def take(data, pick):
    """Index a tensor, or each tensor of a tuple, by the same samples."""
    return tuple(part[pick] for part in data) if isinstance(data, tuple) else data[pick]


def slice_samples(data, cut: slice):
    """`data[cut]` for an array, or for each array of a list, tuple or dict (several inputs/outputs)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: value[cut] for key, value in data.items()}
    if isinstance(data, (list, tuple)) and not is_array(data):
        return [value[cut] for value in data]
    return data[cut]


def sample_count(data, name: str, where: str) -> int:
    try:
        return len(data)
    except TypeError:
        raise ValueError(
            f"{where}: {name} must be an array, a tensor, a generator or a DataLoader; received {type(data).__name__}"
        ) from None


class BatchSource:
    """What fit, evaluate and predict draw batches from, whatever the user passed (arrays, a
    generator or iterable, a PyDataset, a DataLoader): made once per call, then asked for one
    epoch of (x, y, sample_weight) device batches at a time."""

    steps: int | None = None  # batches per epoch; None while unknown (a generator without steps)

    def epoch(self) -> Iterator[Batch]:
        raise NotImplementedError

    @property
    def exhausted(self) -> bool:
        """True once a one-pass source (a plain generator) has ended: training stops there."""
        return False

    def start_at_epoch(self, epoch: int) -> None:
        """Resuming at `epoch`: give the order that epoch would have had. Sources whose order comes
        from torch's generator (restored with the backup) need do nothing."""


class ArrayBatches(BatchSource):
    """Batches from tensors already on the device: shuffled indices each epoch, nothing else copied.
    `x` and `y` are tensors, or tuples of tensors for models with several inputs or outputs.

    `shard` under torchrun: "train" (this process's padded share, see cnnkit.distributed) or
    "eval" (its share, unpadded); `batch_size` is then this process's part of the global batch."""

    def __init__(self, x, y, weights, batch_size: int, shuffle: bool, steps: int | None, shard=None) -> None:
        self.x, self.y, self.weights = x, y, weights
        self.size = batch_length(x)
        self.device = x[0].device if isinstance(x, tuple) else x.device
        self.batch_size, self.shuffle, self.shard = batch_size, shuffle, shard
        self.per_pass = (
            self.size if shard is None else len(distributed.shard(torch.arange(self.size), shard == "train"))
        )
        self.steps = steps or math.ceil(self.per_pass / batch_size)
        self._stream: Iterator[Batch] | None = None

    def _order(self) -> torch.Tensor | None:
        """This pass's sample order; None for the arrays as they are."""
        if self.shard is None:
            return torch.randperm(self.size, device=self.device) if self.shuffle else None
        order = distributed.same_permutation(self.size, self.device) if self.shuffle else torch.arange(self.size)
        return distributed.shard(order.to(self.device), pad=self.shard == "train")

    def _one_pass(self) -> Iterator[Batch]:
        order = self._order()
        for start in range(0, self.per_pass, self.batch_size):
            pick = slice(start, start + self.batch_size) if order is None else order[start : start + self.batch_size]
            yield (
                take(self.x, pick),
                None if self.y is None else take(self.y, pick),
                None if self.weights is None else self.weights[pick],
            )

    def _passes(self) -> Iterator[Batch]:
        while True:
            yield from self._one_pass()

    def epoch(self) -> Iterator[Batch]:
        if self.steps == math.ceil(self.per_pass / self.batch_size):
            yield from self._one_pass()
            return
        # steps_per_epoch differs from one pass: keep drawing from a stream of reshuffled passes.
        if self._stream is None:
            self._stream = self._passes()
        for _ in range(self.steps):
            yield next(self._stream)


class StreamBatches(BatchSource):
    """Batches from a generator, an iterable of batches, or a torch DataLoader.

    A generator is one stream across epochs (Keras's behaviour, so give steps_per_epoch);
    a re-iterable source (DataLoader, list) starts again each epoch.
    """

    def __init__(
        self, source: Iterable, steps: int | None, convert: Callable[[object, bool], Batch], where: str
    ) -> None:
        self.source, self.steps, self.convert, self.where = source, steps, convert, where
        self.one_stream = iter(source) is source
        self._iterator = iter(source) if self.one_stream else None
        if steps is None and not self.one_stream:
            self.steps = _length(source)  # a DataLoader knows its batches: the bar shows 5/1094, not 5/Unknown
        self._checked = False
        self._ended = False

    @property
    def exhausted(self) -> bool:
        return self._ended

    def epoch(self) -> Iterator[Batch]:
        iterator = self._iterator if self.one_stream else iter(self.source)
        produced = 0
        while self.steps is None or produced < self.steps:
            try:
                raw = next(iterator)
            except StopIteration:
                if self.one_stream:
                    self._ended = True
                break
            yield self.convert(raw, not self._checked)
            self._checked = True
            produced += 1
        if produced == 0:
            raise ValueError(
                f"{self.where}: the data source produced no batches"
                + (" (a generator is used up after one pass: give steps_per_epoch)" if self.one_stream else "")
            )


def _length(source) -> int | None:
    """len(source) where it has one (a DataLoader over an iterable dataset raises TypeError)."""
    try:
        return len(source) or None
    except TypeError:
        return None


def split_batch(raw, where: str) -> tuple:
    """(x, y, sample_weight) from a batch given as x, (x,), (x, y) or (x, y, sample_weight)."""
    if isinstance(raw, (tuple, list)) and 1 <= len(raw) <= 3 and not is_array(raw):
        return tuple(raw) + (None,) * (3 - len(raw))
    if isinstance(raw, (np.ndarray, torch.Tensor)):
        return raw, None, None
    raise ValueError(f"{where}: each batch must be x, (x, y) or (x, y, sample_weight); received {type(raw).__name__}")
