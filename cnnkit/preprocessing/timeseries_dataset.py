"""keras.utils.timeseries_dataset_from_array: batches of sliding windows over a time series.

    # 5 days of hourly readings predict the temperature 24 hours after each window's end:
    train = timeseries_dataset_from_array(features[:-120 - 24], temperature[120 + 24:], sequence_length=120)
    model.fit(train, epochs=10)

Window i is data[start_index + p_i + k * sampling_rate] for k < sequence_length, where
p_i = i * sequence_stride, and its target is targets[start_index + p_i] (the target of the window
that starts there). The windows and, unshuffled, their order are Keras's. With shuffle=True they
come in a random order, drawn anew every epoch from `seed` (Keras draws one order from its seed
and then mixes it batch by batch through tf.data's shuffle buffer).

Keras returns a tf.data.Dataset; cnnkit returns a PyDataset of NumPy batches with the tf.data
methods Keras scripts use (len, iteration, take, skip, map, prefetch). `fit(shuffle=...)` leaves
its order alone, as Keras's fit does a tf.data.Dataset's, so an unshuffled series stays in order.
"""

from __future__ import annotations

import numbers

import numpy as np

from cnnkit.preprocessing.chained_batches import ChainedBatches
from cnnkit.preprocessing.flow import Flow

WHERE = "timeseries_dataset_from_array"


class TimeseriesDataset(ChainedBatches, Flow):
    WHERE = WHERE

    def __init__(self, data, targets, starts, sequence_length, sampling_rate, batch_size, shuffle, seed) -> None:
        self.data, self.targets, self.starts = data, targets, starts
        self.offsets = np.arange(sequence_length) * sampling_rate
        # Gathering windows from memory is quick: made in the training thread, as Keras's PyDataset does.
        super().__init__(None, len(starts), batch_size, shuffle, seed, 1, (None, "", "png"))

    def make_batch(self, picked, random):
        starts = self.starts[picked]
        windows = self.data[starts[:, None] + self.offsets]
        return windows if self.targets is None else (windows, self.targets[starts])


def _count(value, name: str, smallest: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < smallest:
        raise ValueError(f"{WHERE}: {name} must be an int >= {smallest}; received {name}={value!r}")
    return int(value)


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
):
    """Windows of `sequence_length` steps of `data` (steps along the first axis), `sampling_rate`
    steps apart, a new window every `sequence_stride` steps, within data[start_index:end_index];
    with `targets`, each window comes with targets[its first step]."""
    data = np.asarray(data.detach().cpu() if hasattr(data, "detach") else data)
    if data.ndim < 1 or len(data) == 0:
        raise ValueError(f"{WHERE}: data must be an array of time steps along its first axis; received {data.shape}")
    if targets is not None:
        targets = np.asarray(targets.detach().cpu() if hasattr(targets, "detach") else targets)
        if targets.ndim < 1:
            raise ValueError(f"{WHERE}: targets must have one entry per time step; received shape {targets.shape}")
    sequence_length = _count(sequence_length, "sequence_length", 1)
    sequence_stride = _count(sequence_stride, "sequence_stride", 1)
    sampling_rate = _count(sampling_rate, "sampling_rate", 1)
    if batch_size is None:
        raise ValueError(f"{WHERE}: batch_size=None (single windows, for tf.data's .batch()) is not supported")
    batch_size = _count(batch_size, "batch_size", 1)
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value >= len(data):
            raise ValueError(f"{WHERE}: {name}={value} must be lower than the length of the data, {len(data)}")
    start = 0 if start_index is None else _count(start_index, "start_index", 0)
    end = len(data) if end_index is None else _count(end_index, "end_index", 1)
    if start >= len(data) or end > len(data) or end <= start:
        raise ValueError(
            f"{WHERE}: start_index={start_index} and end_index={end_index} must satisfy 0 <= start < end <= "
            f"{len(data)} (the length of the data)"
        )
    windows = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        windows = min(windows, len(targets) - start)
    if windows <= 0:
        span = (sequence_length - 1) * sampling_rate + 1
        raise ValueError(f"{WHERE}: a window spans {span} steps, more than the {end - start} steps given")
    starts = start + np.arange(0, windows, sequence_stride)
    return TimeseriesDataset(data, targets, starts, sequence_length, sampling_rate, batch_size, shuffle, seed)
