"""The parts of tf.data that Keras scripts chain on a dataset of batches (`take`, `skip`, `map`,
`prefetch`), for the datasets cnnkit returns where Keras returns a tf.data.Dataset
(image_dataset_from_directory, timeseries_dataset_from_array)."""

from __future__ import annotations

import numbers

from cnnkit.common.py_dataset import PyDataset


class ChainedBatches:
    """The tf.data methods Keras scripts chain on a dataset of batches. Such a dataset stands for
    a tf.data.Dataset, whose order `fit(shuffle=...)` leaves alone in Keras: it shuffles itself
    (or keeps its order, as a time series must)."""

    WHERE = "dataset"  # what errors name: the function that made it
    shuffle_by_fit = False

    def take(self, count: int) -> DerivedBatches:
        """The first `count` batches (`for images, labels in ds.take(1): ...` to look at one)."""
        if not isinstance(count, numbers.Integral) or count < 1:
            raise ValueError(f"{self.WHERE}: take(count) needs an int >= 1; received {count!r}")
        return DerivedBatches(self, count=int(count))

    def skip(self, count: int) -> DerivedBatches:
        """All but the first `count` batches (with take, how a test set is cut off a validation set)."""
        if not isinstance(count, numbers.Integral) or count < 0:
            raise ValueError(f"{self.WHERE}: skip(count) needs an int >= 0; received {count!r}")
        return DerivedBatches(self, start=int(count))

    def map(self, function, num_parallel_calls=None, deterministic=None) -> DerivedBatches:
        """`function` applied to each batch, as function(images, labels), in the worker threads."""
        if not callable(function):
            raise ValueError(f"{self.WHERE}: map(function) needs a callable; received {function!r}")
        return DerivedBatches(self, function=function)

    def prefetch(self, buffer_size=None):
        """The same batches: worker threads already make the next ones while the model trains."""
        return self


class DerivedBatches(ChainedBatches, PyDataset):
    """Another dataset's batches from `start` on, `count` of them at most, passed through `function`."""

    def __init__(self, source: PyDataset, count: int | None = None, function=None, start: int = 0) -> None:
        super().__init__(workers=source.workers, max_queue_size=source.max_queue_size)
        self.source, self.count, self.function, self.start = source, count, function, start
        self.WHERE = source.WHERE
        self.class_names = getattr(source, "class_names", None)
        self.file_paths = getattr(source, "file_paths", None)

    def __len__(self) -> int:
        remaining = max(len(self.source) - self.start, 0)
        return remaining if self.count is None else min(self.count, remaining)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"{self.WHERE}: batch {index} of {len(self)}")
        batch = self.source[self.start + index]
        if self.function is None:
            return batch
        return self.function(*batch) if isinstance(batch, tuple) else self.function(batch)

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()

    def on_epoch_begin(self) -> None:
        self.source.on_epoch_begin()

    def on_epoch_end(self) -> None:
        self.source.on_epoch_end()

    def start_at_epoch(self, epoch: int) -> None:
        start = getattr(self.source, "start_at_epoch", None)
        if start is not None:
            start(epoch)
