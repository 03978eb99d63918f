"""PyDataset: Keras 3's indexable dataset of batches, which fit/evaluate/predict load in the
background with `workers` threads (or processes with `use_multiprocessing=True`)."""

from __future__ import annotations

from cnnkit.common.checks import positive_int


class PyDataset:
    """Subclass it and define `__len__` (the number of batches) and `__getitem__(index)` (one whole
    batch: x, (x, y) or (x, y, sample_weight)); optionally `on_epoch_begin` / `on_epoch_end`.

    `workers`: how many batches are prepared at once, in threads (good for file reading and image
    decoding, which release the GIL) or, with `use_multiprocessing=True`, in processes through a
    torch DataLoader (for Python-heavy work; the dataset must pickle). `max_queue_size`: how many
    batches may wait, ready, ahead of training. With workers=1 and no multiprocessing, batches are
    made in the training thread, one at a time, as Keras does.

    Each epoch visits every batch once; `fit(shuffle=True)` shuffles the order of the batches. In
    worker processes the random generators (Python, NumPy, torch) are seeded from torch's, so a run
    after `set_random_seed` repeats; in threads, draw from a generator seeded by the batch index for
    that.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        for name, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            positive_int(value, name, type(self).__name__)
        self.workers, self.use_multiprocessing, self.max_queue_size = workers, bool(use_multiprocessing), max_queue_size

    @property
    def num_batches(self) -> int | None:
        return len(self) if hasattr(self, "__len__") else None

    def __getitem__(self, index: int):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), returning one batch")

    def on_epoch_begin(self) -> None:
        """Called before each epoch's first batch."""

    def on_epoch_end(self) -> None:
        """Called after each epoch's last batch (to reshuffle samples, say)."""


Sequence = PyDataset  # Keras 2's name for the same contract
