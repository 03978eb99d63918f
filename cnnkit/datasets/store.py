"""Finding, downloading and checking MNIST-style data sets.

Search order: an explicit `path`, then `$CNNKIT_HOME/datasets/<name>/` (default `~/.cnnkit`),
then `/usr/share/datasets/<name>/` (where Debian's dataset packages install), then Keras's own
download folder `$KERAS_HOME/datasets/` (default `~/.keras`), for files Keras keeps under the
same names. If none holds all files, they are downloaded into the first of those folders from the
official mirrors, each checked against its published MD5 or SHA-256 and moved into place only
when complete.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnkit.datasets.idx import DatasetError, check_official, read_idx_gz

SYSTEM_DATASETS = Path("/usr/share/datasets")
TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
OFFICIAL_SHAPES = {  # the published MNIST and Fashion-MNIST files
    "train-images-idx3-ubyte.gz": (60000, 28, 28),
    "train-labels-idx1-ubyte.gz": (60000,),
    "t10k-images-idx3-ubyte.gz": (10000, 28, 28),
    "t10k-labels-idx1-ubyte.gz": (10000,),
}


@dataclass(frozen=True)
class DatasetSpec:
    name: str  # the folder name, as Debian's packages use it: "mnist", "fashion-mnist"
    title: str
    digests: dict[str, str]  # file name -> published MD5 (32 hex digits) or SHA-256 (64)
    mirrors: tuple[str, ...]  # base URLs, tried in order
    classes: int = 10
    debian_package: str | None = None
    # file name -> SHA-256 of its decompressed data (after the IDX header): Debian's package
    # recompresses the files, so their own digests differ while the contents must not
    contents: dict[str, str] = field(default_factory=dict)


def cache_dir(spec: DatasetSpec) -> Path:
    home = Path(os.environ.get("CNNKIT_HOME") or Path.home() / ".cnnkit")
    return home / "datasets" / spec.name


def keras_cache() -> Path:
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets"


def _complete(folder: Path, spec: DatasetSpec) -> bool:
    return all((folder / name).is_file() for name in spec.digests)


def algorithm_of(published: str) -> str:
    """A published digest's algorithm, told by its length: SHA-256 has 64 hex digits, MD5 32."""
    return "sha256" if len(published) == 64 else "md5"


def digest_of(path: Path, algorithm: str) -> str:
    """The file's hex digest by `algorithm` ("md5" or "sha256")."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, target: Path, timeout: float, check=None, progress=None) -> None:
    """Download `url` to a temporary file beside `target` and move it there only when complete and
    `check(temporary_path)` has not raised, so an interrupted or bad download never looks cached.
    `progress(bytes_so_far, total_or_None)` is called as chunks arrive."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            size = response.headers.get("Content-Length")
            total, done = (int(size) if size and size.isdigit() else None), 0
            for chunk in iter(lambda: response.read(1 << 20), b""):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        if check is not None:
            check(Path(temporary))
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _download(url: str, target: Path, published: str, timeout: float) -> None:
    def matches_published(path: Path) -> None:
        algorithm = algorithm_of(published)
        actual = digest_of(path, algorithm)
        if actual != published:
            raise DatasetError(f"{url}: {algorithm.upper()} {actual} does not match the published {published}")

    fetch(url, target, timeout, check=matches_published, progress=download_progress(url))


def download_progress(url: str):
    """A progress callback for `fetch`: "Downloading URL", then a bar of megabytes (live on a
    terminal or in a notebook, the finished line elsewhere)."""
    from cnnkit.training.progress import Progbar  # the training package loads only when a download starts

    bar: list = []

    def progress(done: int, total: int | None) -> None:
        if not bar:
            print(f"Downloading {url}", flush=True)
            bar.append(Progbar(total, unit="byte"))
        if total is not None and done >= total:
            bar[0].finish(done, {})
        else:
            bar[0].update(done, dict)

    return progress


def locate(spec: DatasetSpec, path: str | os.PathLike | None = None, timeout: float = 30.0) -> Path:
    """The folder that holds all of the data set's files, downloading them if needed."""
    if path is not None:
        folder = Path(path).expanduser()
        if not _complete(folder, spec):
            missing = [name for name in spec.digests if not (folder / name).is_file()]
            raise DatasetError(f"{spec.title}: {folder} lacks {', '.join(missing)}")
        return folder
    cache = cache_dir(spec)
    searched = [cache, SYSTEM_DATASETS / spec.name, keras_cache()]
    for folder in searched:
        if _complete(folder, spec):
            return folder
    failures = []
    for name, published in spec.digests.items():
        if (cache / name).is_file():
            continue
        for mirror in spec.mirrors:
            try:
                _download(mirror + name, cache / name, published, timeout)
                break
            except (OSError, urllib.error.URLError, DatasetError) as error:
                failures.append(f"{mirror}{name}: {getattr(error, 'reason', error)}")
        else:
            looked = " and ".join(str(folder) for folder in searched)
            package = f"install Debian's package {spec.debian_package}, or " if spec.debian_package else ""
            raise DatasetError(
                f"{spec.title} not found in {looked}, and downloading failed ({'; '.join(failures)}). "
                f"To fix: {package}copy the files {', '.join(spec.digests)} into {cache} "
                "(or set CNNKIT_HOME), or pass path= to load_data"
            )
    return cache


def load_mnist_style(
    spec: DatasetSpec, path=None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Keras's ((x_train, y_train), (x_test, y_test)): uint8 images (N, 28, 28) and labels (N,)."""
    if path is not None and str(path).endswith(".npz"):
        return _load_npz(Path(path).expanduser(), spec)
    folder = locate(spec, path)
    splits = []
    for images_name, labels_name in (TRAIN_FILES, TEST_FILES):
        images = read_idx_gz(folder / images_name)
        labels = read_idx_gz(folder / labels_name)
        for array, name in ((images, images_name), (labels, labels_name)):
            if name in spec.contents:
                official = {OFFICIAL_SHAPES[name]: spec.contents[name]}
                check_official(array, folder / name, official, spec.title)
        if images.ndim != 3 or labels.ndim != 1:
            raise DatasetError(
                f"{folder / images_name}: expected images (N, rows, cols) and labels (N,); "
                f"received {images.shape} and {labels.shape}"
            )
        if len(images) != len(labels):
            raise DatasetError(
                f"{folder}: {images_name} holds {len(images)} images but {labels_name} {len(labels)} labels"
            )
        if labels.size and labels.max() >= spec.classes:
            raise DatasetError(f"{folder / labels_name}: label {labels.max()} is outside 0..{spec.classes - 1}")
        splits.append((images, labels))
    return splits[0], splits[1]


def _load_npz(path: Path, spec: DatasetSpec):
    """Keras's own cached file (`mnist.npz`), read without unpickling anything."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return (archive["x_train"], archive["y_train"]), (archive["x_test"], archive["y_test"])
    except FileNotFoundError:
        raise DatasetError(f"{spec.title}: {path} not found") from None
    except (KeyError, ValueError, OSError) as error:
        raise DatasetError(f"{path}: not a Keras {spec.title} .npz file ({error})") from None
