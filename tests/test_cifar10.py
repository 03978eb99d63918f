"""CIFAR-10's loader on a tiny archive in the official layout, written by the test."""

import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from cnnkit.datasets import DatasetError, cifar10


def write_archive(folder, batches: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / cifar10.ARCHIVE, "w:gz") as archive:
        for name, content in batches.items():
            raw = pickle.dumps(content, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))


def official_batches(rng, per_batch=4):
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072)).astype(np.uint8)
        batches[name] = {b"data": data, b"labels": [int(v) for v in rng.integers(0, 10, per_batch)]}
    return batches


def test_loads_keras_shapes_with_channels_last(tmp_path, rng):
    batches = official_batches(rng)
    write_archive(tmp_path, batches)
    (x, y), (xt, yt) = cifar10.load_data(tmp_path)
    assert x.shape == (20, 32, 32, 3) and y.shape == (20, 1) and xt.shape == (4, 32, 32, 3) and x.dtype == np.uint8
    first = batches["data_batch_1"][b"data"][0]
    assert x[0, 0, 0].tolist() == [first[0], first[1024], first[2048]]  # red, green, blue of the first pixel
    assert y[:4, 0].tolist() == batches["data_batch_1"][b"labels"]


def test_a_tampered_archive_cannot_run_code(tmp_path, rng, monkeypatch):
    monkeypatch.chdir(tmp_path)

    class RunsCode:
        def __reduce__(self):
            return (os.system, ("touch pwned",))

    batches = official_batches(rng)
    batches["data_batch_3"] = {b"data": RunsCode(), b"labels": []}
    write_archive(tmp_path / "data", batches)
    with pytest.raises(DatasetError, match="data_batch_3 is not a CIFAR-10 batch.*refusing to load"):
        cifar10.load_data(tmp_path / "data")
    assert not (tmp_path / "pwned").exists()


def test_pixels_outside_a_byte_are_refused_not_wrapped(tmp_path, rng):
    batches = official_batches(rng)
    batches["data_batch_2"][b"data"] = batches["data_batch_2"][b"data"].astype(np.int64) + 100  # up to 355
    write_archive(tmp_path, batches)
    with pytest.raises(DatasetError, match=r"data_batch_2's pixels must be whole numbers 0..255; found int64 from"):
        cifar10.load_data(tmp_path)


def test_a_batch_declaring_a_huge_array_is_refused_without_allocating_it(tmp_path, rng):
    reduce_function, arguments, state = np.zeros(4, np.uint8).__reduce__()

    class Declares:  # a 10^12-byte array whose pickle holds 4 bytes
        def __reduce__(self):
            return (reduce_function, arguments, (state[0], (10**12,), *state[2:]))

    class Allocates:  # the same size asked of numpy's own rebuilding function: 931 GiB at once
        def __reduce__(self):
            return (reduce_function, (np.ndarray, (10**12,), b"B"), state)

    for declared in (Declares(), Allocates()):
        batches = official_batches(rng)
        batches["test_batch"] = {b"data": declared, b"labels": [1]}
        write_archive(tmp_path, batches)
        with pytest.raises(DatasetError, match="test_batch is not a CIFAR-10 batch"):
            cifar10.load_data(tmp_path)
