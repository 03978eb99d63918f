"""PyDataset: Keras 3's dataset of batches, loaded in the background by threads or processes."""

import os
import threading

import numpy as np
import pytest

import cnnkit as keras
from cnnkit import layers


class Batches(keras.utils.PyDataset):
    """Batches of fixed arrays; records which batches were asked for, where, and the epoch calls.
    With `noise`, each batch gets NumPy noise (to check that worker seeds repeat)."""

    def __init__(self, x, y, batch_size, log_file=None, noise=False, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size, self.log_file, self.noise = x, y, batch_size, log_file, noise
        self.asked, self.threads, self.events = [], set(), []

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        self.asked.append(index)
        self.threads.add(threading.current_thread().name)
        if self.log_file is not None:  # worker processes cannot report through self
            with open(self.log_file, "a") as log:
                log.write(f"{os.getpid()} {index}\n")
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        x = self.x[part] + (np.random.random(self.x[part].shape).astype(np.float32) if self.noise else 0)
        return x, self.y[part]

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")


def model():
    net = keras.Sequential(
        [layers.Dense(8, activation="relu", input_shape=(6,)), layers.Dense(3, activation="softmax")]
    )
    net.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return net


@pytest.fixture
def arrays(rng):
    return rng.standard_normal((50, 6)).astype(np.float32), rng.integers(0, 3, 50)


def trained(data, **fit_arguments):
    keras.utils.set_random_seed(7)
    net = model()
    net.fit(data, epochs=2, verbose=0, **fit_arguments)
    return net.get_weights()


def test_a_pydataset_trains_as_the_same_batches_of_arrays(arrays):
    x, y = arrays
    keras.utils.set_random_seed(7)
    reference = model()
    reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    data = Batches(x, y, 8)
    for got, expected in zip(trained(data, shuffle=False), reference.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    assert data.asked == list(range(7)) * 2
    assert data.events == ["begin", "end"] * 2
    assert data.threads == {threading.current_thread().name}  # workers=1: made in the training thread


def test_threads_load_ahead_and_keep_the_order(arrays):
    x, y = arrays
    expected = trained(Batches(x, y, 8), shuffle=False)
    data = Batches(x, y, 8, workers=3, max_queue_size=4)
    for got, want in zip(trained(data, shuffle=False), expected):
        np.testing.assert_array_equal(got, want)
    assert data.threads and all(name.startswith("cnnkit-loader") for name in data.threads)
    assert sorted(data.asked) == sorted(list(range(7)) * 2)


def test_processes_load_the_batches_and_their_random_draws_repeat(arrays, tmp_path):
    x, y = arrays
    expected = trained(Batches(x, y, 8), shuffle=False)
    log = tmp_path / "log.txt"
    got = trained(Batches(x, y, 8, log_file=log, workers=2, use_multiprocessing=True), shuffle=False)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    lines = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(index) for _, index in lines) == sorted(list(range(7)) * 2)
    assert os.getpid() not in {int(pid) for pid, _ in lines}

    noisy = [Batches(x, y, 8, noise=True, workers=2, use_multiprocessing=True) for _ in range(2)]
    first, second = trained(noisy[0]), trained(noisy[1])
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(first[0], expected[0])  # the noise did reach training


def test_shuffle_visits_each_batch_once_per_epoch_in_a_repeatable_order(arrays):
    x, y = arrays
    orders = []
    for _ in range(2):
        data = Batches(x, y, 5)
        trained(data)  # fit's shuffle=True by default
        orders.append(data.asked)
    assert orders[0] == orders[1]
    first, second = orders[0][:10], orders[0][10:]
    assert sorted(first) == sorted(second) == list(range(10))
    assert first != list(range(10)) and first != second


def test_predict_and_evaluate_read_a_pydataset_in_order(arrays):
    x, y = arrays
    net = model()
    data = Batches(x, y, 8, workers=2)
    np.testing.assert_allclose(net.predict(data, verbose=0), net.predict(x, verbose=0), rtol=1e-6, atol=1e-7)
    loss, _ = net.evaluate(data, verbose=0)
    assert loss == pytest.approx(net.evaluate(x, y, verbose=0)[0], rel=1e-6)


def test_bad_pydatasets_are_refused_in_one_line(arrays):
    x, y = arrays
    with pytest.raises(ValueError, match="steps=9 is more than the PyDataset's 7 batches"):
        model().fit(Batches(x, y, 8), steps_per_epoch=9, verbose=0)
    with pytest.raises(ValueError, match="workers must be a positive int; received workers=0"):
        Batches(x, y, 8, workers=0)
    with pytest.raises(ValueError, match="has no batches"):
        model().fit(Batches(x[:0], y[:0], 8), verbose=0)


def test_a_pydataset_gives_its_own_labels_and_batch_size(arrays):
    x, y = arrays
    with pytest.raises(ValueError, match="PyDataset or DataLoader it gives the labels itself; pass y=None"):
        model().fit(Batches(x, y, 8), y, verbose=0)
    with pytest.raises(ValueError, match="batch_size is set by the generator, PyDataset or DataLoader"):
        model().fit(Batches(x, y, 8), batch_size=8, verbose=0)


def test_keras_2_loading_arguments_of_fit_evaluate_and_predict(arrays):
    x, y = arrays
    data = Batches(x, y, 8)
    weights = trained(data, shuffle=False, workers=3, max_queue_size=2, use_multiprocessing=False)
    assert (data.workers, data.max_queue_size) == (3, 2)
    assert all(name.startswith("cnnkit-loader") for name in data.threads)  # the threads asked for
    for got, want in zip(weights, trained(Batches(x, y, 8), shuffle=False)):
        np.testing.assert_array_equal(got, want)
    net = model()
    other = Batches(x, y, 8)
    net.evaluate(other, workers=2, verbose=0)
    assert other.workers == 2
    assert net.predict(Batches(x, y, 8), workers=2, verbose=0).shape == (50, 3)
