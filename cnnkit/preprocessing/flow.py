"""What ImageDataGenerator's flow methods return: PyDatasets of augmented batches.

Flow holds what they share: the sample order of each epoch, one random generator per batch, the
endless `next()` of Keras's iterators and `save_to_dir`. ArrayFlow draws its images from arrays in
memory (`flow`); DirectoryFlow (directory_flow.py) reads them from files (`flow_from_directory`).

Batch `i` of epoch `e` is drawn from its own random generator, seeded by (seed, e, i): the same
batches whichever worker thread makes them. Without a seed, each epoch's seed is drawn from torch's
generator as the epoch begins, so `set_random_seed` makes runs repeat and a run resumed by
BackupAndRestore (which restores that generator) continues as the uninterrupted one would. With a
seed, a resumed fit starts the count at its first epoch (start_at_epoch), to the same end.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterator

import numpy as np
import torch

from cnnkit.common.py_dataset import PyDataset
from cnnkit.preprocessing.image_utils import save_img


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)  # NumPy's ints too


class Flow(PyDataset):
    """Batches of `count` samples; a subclass makes them in `make_batch(picked, random)`."""

    WHERE = "ImageDataGenerator"  # what errors name: the method that made the flow

    def __init__(self, generator, count: int, batch_size: int, shuffle: bool, seed, workers: int, save) -> None:
        super().__init__(workers=workers)
        where = self.WHERE
        if not _is_int(batch_size) or batch_size < 1:
            raise ValueError(f"{where}: batch_size must be an int >= 1; received batch_size={batch_size!r}")
        if seed is not None and (not _is_int(seed) or seed < 0):
            raise ValueError(f"{where}: seed must be an int >= 0 or None; received seed={seed!r}")
        self.image_data_generator, self.n, self.batch_size = generator, count, int(batch_size)
        self.shuffle = bool(shuffle)
        self.save_to_dir, self.save_prefix, self.save_format = save
        self.fixed_seed = None if seed is None else int(seed)
        self.seed = self.fixed_seed if seed is not None else int(torch.randint(0, 2**62, ()))
        self.epoch = 0
        self.order = self._order()
        self._stream: Iterator | None = None

    def _order(self) -> np.ndarray:
        if not self.shuffle:
            return np.arange(self.n)
        return np.random.default_rng([self.seed, self.epoch]).permutation(self.n)

    def __len__(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"{self.WHERE}: batch {index} of {len(self)}")
        picked = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        state = np.random.SeedSequence([self.seed, self.epoch, index]).generate_state(1, np.uint64)[0]
        random = torch.Generator().manual_seed(int(state))
        batch = self.make_batch(picked, random)
        if self.save_to_dir:
            self._save(batch[0] if isinstance(batch, tuple) else batch, index)
        return batch

    def make_batch(self, picked: np.ndarray, random: torch.Generator):
        raise NotImplementedError

    def augment(self, images: np.ndarray, random: torch.Generator) -> np.ndarray:
        """The generator's random transforms, then its standardization, as Keras's iterators do.
        `images` is the flow's own copy, so it may be standardized in place."""
        generator = self.image_data_generator
        return generator.standardize_in_place(generator.random_transform_batch(images, random))

    def _save(self, images: np.ndarray, index: int) -> None:
        """save_to_dir: each image of the batch as it goes to the model (Keras's preview files)."""
        for n, image in enumerate(images):
            name = f"{self.save_prefix}_{self.epoch}_{index}_{n}.{self.save_format}"
            save_img(os.path.join(self.save_to_dir, name), image)

    def on_epoch_begin(self) -> None:
        if self.fixed_seed is None:  # this epoch's seed stands for (seed, epoch): no count to resume
            self.seed, self.epoch = int(torch.randint(0, 2**62, ())), 0
            self.order = self._order()

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self.order = self._order()

    def start_at_epoch(self, epoch: int) -> None:
        """fit begins at `epoch`: a seeded flow makes that epoch's batches, so a run resumed by
        BackupAndRestore in a new process continues as the uninterrupted one would. A flow that has
        already run further (a second fit on it) keeps its own count."""
        if self.fixed_seed is not None and epoch > self.epoch:
            self.epoch = epoch
            self.order = self._order()

    def __iter__(self) -> Iterator:
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()

    def __next__(self):
        while True:
            if self._stream is None:
                self._stream = iter(self)
            try:
                return next(self._stream)
            except StopIteration:
                self._stream = None

    next = __next__  # Keras's iterators spell it `flow.next()` too

    def reset(self) -> None:
        """Start `next()` again from the first batch of an epoch (as notebooks do before predict)."""
        self._stream = None


def default_workers() -> int:
    """Threads that augment the next batches while the model trains: two on a machine with a GPU
    (the CPU is otherwise idle there); one, in the training thread, on a CPU alone, where the
    model's own work already takes every core."""
    return 2 if torch.cuda.is_available() else 1


def check_subset(validation_split: float, subset, where: str) -> None:
    if subset not in (None, "training", "validation"):
        raise ValueError(f"{where}: subset must be 'training' or 'validation'; received subset={subset!r}")
    if subset is not None and not validation_split:
        raise ValueError(f"{where}: subset needs validation_split in the ImageDataGenerator")


def subset_slice(count: int, validation_split: float, subset) -> slice:
    """Which of `count` samples a subset takes: Keras's iterators keep the first `validation_split`
    of them for "validation" and the rest for "training"."""
    split = int(count * validation_split) if subset else 0
    return slice(None, split) if subset == "validation" else slice(split, None)


class ArrayFlow(Flow):
    """What `ImageDataGenerator.flow` returns (Keras's NumpyArrayIterator): batches of images from
    an array, with their labels and sample weights when given."""

    WHERE = "ImageDataGenerator.flow"

    def __init__(self, generator, x, y, batch_size, shuffle, sample_weight, seed, save, ignore_class_split, subset):
        where = self.WHERE
        x = np.asarray(x)
        if x.ndim != 4:
            raise ValueError(f"{where}: x must be images (N, height, width, channels); received shape {x.shape}")
        y = None if y is None else np.asarray(y)
        weights = None if sample_weight is None else np.asarray(sample_weight)
        for name, values in (("y", y), ("sample_weight", weights)):
            if values is not None and len(values) != len(x):
                raise ValueError(f"{where}: x has {len(x)} images but {name} has {len(values)} entries")
        check_subset(generator.validation_split, subset, where)
        part = subset_slice(len(x), generator.validation_split, subset)
        if subset is not None and y is not None and not ignore_class_split:
            kept, everything = np.unique(y[part], axis=0), np.unique(y, axis=0)
            if len(kept) != len(everything):
                raise ValueError(
                    f"{where}: the {subset} subset has {len(kept)} of the {len(everything)} classes in y (is y "
                    "sorted by label? shuffle it, or pass ignore_class_split=True)"
                )
        self.x = x[part]
        self.y = None if y is None else y[part]
        self.sample_weight = None if weights is None else weights[part]
        super().__init__(generator, len(self.x), batch_size, shuffle, seed, default_workers(), save)

    def make_batch(self, picked, random):
        picked = np.sort(picked)  # reads the array in order; the batch's samples stay together
        images = self.augment(self.x[picked], random)
        if self.y is None:
            return images
        if self.sample_weight is None:
            return images, self.y[picked]
        return images, self.y[picked], self.sample_weight[picked]
