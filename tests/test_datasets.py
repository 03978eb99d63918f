"""The MNIST-style loader on tiny IDX files written here: search order, checks, downloads."""

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from cnnkit.datasets import DatasetError, fashion_mnist, mnist, store
from tests.http_files import serving


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_dataset(folder: Path, n_train=5, n_test=3, seed=0) -> dict:
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        (folder / name).write_bytes(gzip.compress(idx_bytes(array)))
    return arrays


@pytest.fixture
def homes(tmp_path, monkeypatch):
    """A private CNNKIT_HOME and an empty stand-in for /usr/share/datasets."""
    monkeypatch.setenv("CNNKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(store, "SYSTEM_DATASETS", tmp_path / "system")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path


def test_loads_keras_tuples_from_the_cache(homes):
    arrays = write_dataset(homes / "home" / "datasets" / "mnist")
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28) and y_test.shape == (3,)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    x_train[0, 0, 0] = 1  # Keras's arrays are writable


def test_finds_the_system_folder_debian_installs(homes):
    arrays = write_dataset(homes / "system" / "fashion-mnist", seed=3)
    (_, _), (x_test, _) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])


def test_explicit_path_and_keras_npz(homes):
    arrays = write_dataset(homes / "elsewhere")
    (x_train, _), _ = mnist.load_data(homes / "elsewhere")
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.savez(homes / "mnist.npz", x_train=x_train, y_train=np.zeros(5), x_test=x_train[:2], y_test=np.zeros(2))
    (x_npz, _), (x_test, _) = mnist.load_data(str(homes / "mnist.npz"))
    np.testing.assert_array_equal(x_npz, x_train)
    with pytest.raises(DatasetError, match="lacks t10k-labels"):
        (homes / "elsewhere" / "t10k-labels-idx1-ubyte.gz").unlink()
        mnist.load_data(homes / "elsewhere")


def test_truncated_file_is_an_error_naming_it(homes):
    folder = homes / "home" / "datasets" / "mnist"
    write_dataset(folder)
    target = folder / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-40])
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz: not a complete gzip file"):
        mnist.load_data()


def test_short_payload_and_wrong_magic_are_errors(homes):
    folder = homes / "home" / "datasets" / "mnist"
    write_dataset(folder)
    labels = folder / "t10k-labels-idx1-ubyte.gz"
    raw = gzip.decompress(labels.read_bytes())
    labels.write_bytes(gzip.compress(raw[:-1]))  # a valid gzip of a truncated IDX payload
    with pytest.raises(DatasetError, match=r"t10k-labels-idx1-ubyte.gz: IDX header declares shape \(3,\)"):
        mnist.load_data()
    labels.write_bytes(gzip.compress(b"\x12\x34" + raw[2:]))
    with pytest.raises(DatasetError, match="not an IDX file .wrong magic number 1234"):
        mnist.load_data()


def test_mismatched_counts_and_bad_labels(homes):
    folder = homes / "home" / "datasets" / "mnist"
    write_dataset(folder)
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.array([1, 2]))))
    with pytest.raises(DatasetError, match="holds 5 images but train-labels-idx1-ubyte.gz 2 labels"):
        mnist.load_data()
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.array([1, 2, 3, 4, 12]))))
    with pytest.raises(DatasetError, match="label 12 is outside 0..9"):
        mnist.load_data()


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on localhost serving tmp_path/www."""
    root = tmp_path / "www"
    root.mkdir()
    with serving(root) as (url, _):
        yield root, url


def tiny_spec(root: Path, url: str, corrupt: str | None = None) -> store.DatasetSpec:
    write_dataset(root)
    digests = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in root.iterdir()}
    if corrupt:
        digests[corrupt] = "0" * 32
    return store.DatasetSpec(name="tiny", title="Tiny", digests=digests, mirrors=("http://127.0.0.1:9/", url))


def test_download_verifies_md5_and_caches(homes, server, capsys):
    root, url = server
    spec = tiny_spec(root, url)
    (x_train, _), _ = store.load_mnist_style(spec)  # the first mirror refuses; the second serves
    printed = capsys.readouterr().out  # not a terminal: the finished line of each file, no carriage returns
    size = (root / "train-images-idx3-ubyte.gz").stat().st_size / 1e6
    assert f"Downloading {url}train-images-idx3-ubyte.gz\n{size:.1f}/{size:.1f} MB [" in printed
    assert printed.count("Downloading") == 4 and "\r" not in printed
    cached = homes / "home" / "datasets" / "tiny"
    assert sorted(p.name for p in cached.iterdir()) == sorted(spec.digests)
    for p in root.iterdir():
        p.unlink()  # now only the cache has them
    (again, _), _ = store.load_mnist_style(spec)
    np.testing.assert_array_equal(again, x_train)


def test_bad_download_leaves_nothing_and_offline_error_says_how_to_fix(homes, server):
    root, url = server
    spec = tiny_spec(root, url, corrupt="t10k-images-idx3-ubyte.gz")
    with pytest.raises(DatasetError) as error:
        store.load_mnist_style(spec)
    text = str(error.value)
    assert "\n" not in text and "does not match the published" in text
    assert str(homes / "home" / "datasets" / "tiny") in text and str(homes / "system" / "tiny") in text
    assert "To fix:" in text
    leftovers = [p.name for p in (homes / "home" / "datasets" / "tiny").iterdir()]
    assert "t10k-images-idx3-ubyte.gz" not in leftovers and not any(n.startswith(".") for n in leftovers)


def test_official_checksums_are_the_published_ones():
    assert mnist.SPEC.digests["train-images-idx3-ubyte.gz"] == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert fashion_mnist.SPEC.digests["t10k-labels-idx1-ubyte.gz"] == "bb300cfdad3c16e7a12a480ee83cd310"
    assert fashion_mnist.SPEC.debian_package == "dataset-fashion-mnist"


def test_a_file_shaped_like_the_official_one_must_hold_its_contents(homes):
    """A copy of the published test labels with changes (here all zeros) has the official shape;
    its SHA-256 differs from the official data's, so it is refused instead of trained on."""
    folder = homes / "changed"
    write_dataset(folder)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(10000))))
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros((10000, 28, 28)))))
    with pytest.raises(DatasetError, match=r"shape of the official Fashion-MNIST file \(10000, 28, 28\) but not"):
        fashion_mnist.load_data(folder)


def test_an_idx_file_padded_past_its_header_is_refused_without_inflating_it(homes, tmp_path):
    folder = homes / "padded"
    write_dataset(folder)
    labels = idx_bytes(np.arange(3) % 10) + bytes(64 * 2**20)  # 64 MiB of zeros after the data
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(labels))
    with pytest.raises(DatasetError, match=r"declares shape \(3,\) \(3 bytes\) but the file holds more bytes"):
        mnist.load_data(folder)
    header = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 2**20, 2**20, 2**20)  # 10^18 bytes declared
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(header))
    with pytest.raises(DatasetError, match="over 2147483648 bytes"):
        mnist.load_data(folder)
