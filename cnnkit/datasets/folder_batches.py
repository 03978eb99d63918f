"""Image files read batch by batch while the model trains: a PyDataset over (file, label) pairs,
for folders too large to decode into memory at once.

Worker threads decode the next batches (Pillow releases the GIL while it decodes and resizes, so
threads run in parallel without copying the dataset into processes). The files are reshuffled as
each epoch begins, from torch's random generator: batches differ between epochs, repeat after
`set_random_seed`, and a run resumed by BackupAndRestore (which restores that generator) goes on
with the shuffles the uninterrupted run would have made.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from pathlib import Path

import numpy as np
import torch

from cnnkit.common.py_dataset import PyDataset
from cnnkit.datasets.image_folder import read_images


def default_workers() -> int:
    """Threads that decode images: one per core, at most 8 (beyond that the disk or the GIL-held
    parts bound it)."""
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


class FolderBatches(PyDataset):
    """Batches (images float32 in [0, 1], (N, H, W, C); labels int64) decoded from `files`."""

    def __init__(
        self,
        files: list[tuple[Path, int]],
        image_shape: tuple[int, int, int],
        batch_size: int = 32,
        shuffle: bool = True,
        workers: int | None = None,
        max_queue_size: int = 10,
    ) -> None:
        super().__init__(workers=workers or default_workers(), max_queue_size=max_queue_size)
        if not files:
            raise ValueError("FolderBatches: no files to read")
        self.files, self.image_shape, self.batch_size = list(files), tuple(image_shape), batch_size
        self.shuffle = shuffle
        self.skipped: list[tuple[str, str]] = []  # (path, why), each unreadable file once
        self._skipped_lock = threading.Lock()  # worker threads find them
        self.order = np.arange(len(self.files))

    def __len__(self) -> int:
        return math.ceil(len(self.files) / self.batch_size)

    def __getitem__(self, index: int):
        # A file whose header read but whose pixels do not (a truncated JPEG) is left out of its
        # batch; a batch left with no image at all would give a NaN loss, so the next one stands in.
        for attempt in range(len(self)):
            start = ((index + attempt) % len(self)) * self.batch_size
            picked = self.order[start : start + self.batch_size]
            images, labels = read_images([self.files[i] for i in picked], self.image_shape, [], self._skip)
            if len(images):
                return images.astype(np.float32) / 255.0, labels
        raise ValueError(f"FolderBatches: none of the {len(self.files)} files could be read as an image")

    def _skip(self, path: str, why: str) -> None:
        """Say so the first time a file fails to decode, not again every epoch (under torchrun each
        process reads other files, so each says which of its own it left out)."""
        with self._skipped_lock:
            if any(path == seen for seen, _ in self.skipped):
                return
            self.skipped.append((path, why))
        print(f"skipped {path}: {why}", file=sys.stderr)

    def on_epoch_begin(self) -> None:
        if self.shuffle:
            self.order = torch.randperm(len(self.files)).numpy()
