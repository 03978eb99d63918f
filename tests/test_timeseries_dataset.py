"""timeseries_dataset_from_array: Keras's documented examples, every window against NumPy, and the
order fit keeps."""

import numpy as np
import pytest

import cnnkit
from cnnkit import layers
from cnnkit.utils import timeseries_dataset_from_array


def all_batches(dataset):
    return [batch for batch in dataset]


def test_keras_documented_examples():
    data = np.arange(100)
    first = all_batches(timeseries_dataset_from_array(data, None, sequence_length=10, sampling_rate=2))[0]
    np.testing.assert_array_equal(first[0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(first[1], np.arange(1, 21, 2))
    inputs, targets = all_batches(timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10))[0]
    np.testing.assert_array_equal(inputs[0], data[:10])
    assert targets[0] == data[10]


@pytest.mark.parametrize(
    "arguments",
    [
        dict(sequence_length=5),
        dict(sequence_length=4, sequence_stride=3, sampling_rate=2, batch_size=7),
        dict(sequence_length=6, start_index=10, end_index=60, batch_size=16),
        dict(sequence_length=3, sampling_rate=5, sequence_stride=2, start_index=5),
    ],
)
def test_every_window_and_target(arguments):
    data = np.arange(300, dtype="float32").reshape(100, 3)
    targets = np.arange(100) * 10
    length, rate = arguments["sequence_length"], arguments.get("sampling_rate", 1)
    stride, start = arguments.get("sequence_stride", 1), arguments.get("start_index", 0)
    end = arguments.get("end_index", 100)
    firsts = list(range(start, end - (length - 1) * rate, stride))
    expected = np.stack([data[p : p + length * rate : rate] for p in firsts])
    batches = all_batches(timeseries_dataset_from_array(data, targets, **arguments))
    assert all(len(x) <= arguments.get("batch_size", 128) for x, _ in batches)
    np.testing.assert_array_equal(np.concatenate([x for x, _ in batches]), expected)
    np.testing.assert_array_equal(np.concatenate([y for _, y in batches]), targets[firsts])


def test_shuffled_windows_are_the_same_windows_in_a_new_order_each_epoch():
    data = np.arange(50)
    dataset = timeseries_dataset_from_array(data, data, sequence_length=4, batch_size=8, shuffle=True, seed=1)
    first = np.concatenate([y for _, y in all_batches(dataset)])
    dataset.on_epoch_end()
    second = np.concatenate([y for _, y in all_batches(dataset)])
    assert sorted(first) == sorted(second) == list(range(47)) and not np.array_equal(first, second)
    for x, y in all_batches(dataset):
        np.testing.assert_array_equal(x[:, 0], y)  # each window still starts at its target


def test_fit_keeps_an_unshuffled_series_in_order(rng):
    seen = []

    class Recorder(cnnkit.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    series = rng.normal(size=(200, 2)).astype("float32")
    dataset = timeseries_dataset_from_array(series[:-5], series[5:, 0], sequence_length=5, batch_size=32)
    model = cnnkit.Sequential([layers.Input((5, 2)), layers.LSTM(4), layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    order = []
    original = type(dataset).__getitem__
    type(dataset).__getitem__ = lambda self, index: order.append(index) or original(self, index)
    try:
        model.fit(dataset, epochs=1, verbose=0, callbacks=[Recorder()])  # fit's shuffle=True by default
    finally:
        type(dataset).__getitem__ = original
    assert order == list(range(len(dataset))) and len(seen) == len(dataset)
    assert len(dataset.take(2)) == 2 and model.predict(dataset, verbose=0).shape == (191, 1)


def test_bad_arguments_name_what_was_expected():
    data = np.arange(20)
    with pytest.raises(ValueError, match="sequence_length must be an int >= 1"):
        timeseries_dataset_from_array(data, None, sequence_length=0)
    with pytest.raises(ValueError, match="a window spans 30 steps, more than the 20 steps given"):
        timeseries_dataset_from_array(data, None, sequence_length=30)
    with pytest.raises(ValueError, match="start_index=15 and end_index=10 must satisfy"):
        timeseries_dataset_from_array(data, None, sequence_length=2, start_index=15, end_index=10)
    with pytest.raises(ValueError, match="sampling_rate=20 must be lower than the length"):
        timeseries_dataset_from_array(data, None, sequence_length=1, sampling_rate=20)
    with pytest.raises(ValueError, match="timeseries_dataset_from_array: take"):
        timeseries_dataset_from_array(data, None, sequence_length=2).take(0)
