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
