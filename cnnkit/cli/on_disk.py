"""Training images of a `folder:` data set left on disk: read batch by batch in background threads
while the model trains (datasets.folder_batches), for folders too large to decode into memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnkit import distributed
from cnnkit.cli.errors import CommandError
from cnnkit.datasets.folder_batches import FolderBatches

# Decoded float32 training images above this size stay on disk (`--stream auto`).
IN_MEMORY_LIMIT = 2 * 2**30


@dataclass
class OnDisk:
    """Stands where the training images' array would be: `len()` and `.shape` as for the array."""

    files: list[tuple[Path, int]]  # (file, label)
    image_shape: tuple[int, int, int]  # what each file is read as: (height, width, channels)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.files), *self.image_shape)

    def __len__(self) -> int:
        return len(self.files)

    @property
    def decoded_bytes(self) -> int:
        return int(np.prod(self.shape)) * 4

    def batches(self, batch_size: int, val_split: float, seed: int) -> tuple[FolderBatches, FolderBatches | None]:
        """(training, validation) batches: the last `val_split` of the files (in a seeded shuffle)
        validate, as Keras's validation_split takes the last samples. `batch_size` is the global
        batch: under torchrun each process reads its share."""
        if distributed.active():
            batch_size = distributed.local_batch_size(batch_size, "train")
        order = np.random.default_rng(seed).permutation(len(self.files))
        files = [self.files[i] for i in order]
        split = int(len(files) * (1 - val_split))
        if split == 0:
            raise CommandError(f"--val-split {val_split} leaves none of the {len(files)} training images to train on")
        train = FolderBatches(files[:split], self.image_shape, batch_size, shuffle=True)
        if split == len(files):
            return train, None
        return train, FolderBatches(files[split:], self.image_shape, batch_size, shuffle=False)
