"""CIFAR-100's loader on a tiny archive in the official layout, written by the test."""

import io
import pickle
import tarfile

import numpy as np
import pytest

from cnnkit.datasets import DatasetError, cifar100


def write_cifar100(folder, rng, per_split=6, fine=None) -> dict:
    """A cifar-100-python.tar.gz with `per_split` images in each of its train and test batches."""
    folder.mkdir(parents=True, exist_ok=True)
    batches = {}
    with tarfile.open(folder / cifar100.ARCHIVE, "w:gz") as archive:
        for name in ("train", "test"):
            labels = rng.integers(0, 100, per_split) if fine is None else np.asarray(fine)
            batches[name] = {
                b"data": rng.integers(0, 256, (len(labels), 3072)).astype(np.uint8),
                b"fine_labels": [int(v) for v in labels],
                b"coarse_labels": [int(v) // 5 for v in labels],
            }
            raw = pickle.dumps(batches[name], protocol=2)
            info = tarfile.TarInfo(f"cifar-100-python/{name}")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return batches


def test_fine_and_coarse_labels_with_keras_shapes(tmp_path, rng):
    batches = write_cifar100(tmp_path, rng)
    (x, y), (xt, yt) = cifar100.load_data(path=tmp_path)
    assert x.shape == (6, 32, 32, 3) and y.shape == (6, 1) and xt.shape == (6, 32, 32, 3) and x.dtype == np.uint8
    first = batches["train"][b"data"][0]
    assert x[0, 0, 0].tolist() == [first[0], first[1024], first[2048]]  # red, green, blue of the first pixel
    assert y[:, 0].tolist() == batches["train"][b"fine_labels"]
    (_, coarse), (_, coarse_test) = cifar100.load_data("coarse", path=tmp_path)
    assert coarse[:, 0].tolist() == batches["train"][b"coarse_labels"]
    assert coarse_test[:, 0].tolist() == batches["test"][b"coarse_labels"]


def test_bad_label_mode_and_labels_out_of_range_are_refused(tmp_path, rng):
    write_cifar100(tmp_path, rng)
    with pytest.raises(ValueError, match="label_mode must be 'fine' or 'coarse'; received 'medium'"):
        cifar100.load_data("medium", path=tmp_path)
    write_cifar100(tmp_path, rng, fine=[3, 140])
    with pytest.raises(DatasetError, match=r"train has label 140, outside 0..99"):
        cifar100.load_data(path=tmp_path)
