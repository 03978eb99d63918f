"""Keras's `utils.get_file`: download once into a cache (`~/.keras/datasets/` by default, where
Keras keeps its downloads too), check the file's hash, and extract archives.

Unlike Keras, the download is written to a temporary file and renamed into place only when it is
complete and its hash matches, so an interrupted download never leaves a file that looks
cached; and archives are extracted only inside their folder (tar's "data" filter; zip members
that would land outside are refused).
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from pathlib import Path

from cnnkit.common import keras_defaults
from cnnkit.datasets.store import algorithm_of, digest_of, fetch
from cnnkit.utils.progbar import Progbar


def get_file(
    fname=None,
    origin=None,
    untar: bool = False,
    md5_hash=None,
    file_hash=None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format="auto",
    cache_dir=None,
    force_download: bool = False,
) -> str:
    """The local path of `origin`'s file, downloading it unless cached (and, with a hash, intact).
    With `extract=True` the folder the archive was extracted to, named as Keras 3 names it."""
    if origin is None:
        raise ValueError("get_file: give origin=, the URL of the file to download")
    file_hash = file_hash or md5_hash
    algorithm = _algorithm(hash_algorithm, file_hash)
    folder = Path(cache_dir or os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser() / cache_subdir
    name = os.fspath(fname) if fname is not None else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not name:
        raise ValueError(f"get_file: cannot tell a file name from origin={origin!r}; give fname=")
    if os.sep in name or "/" in name or name in (".", ".."):
        raise ValueError(f"get_file: fname is a file name, not a path ({name!r}); choose the folder with cache_dir=")
    if untar and keras_defaults.version() == 2:
        return _keras_2_untar(origin, folder, name, file_hash, algorithm, force_download)
    extract = extract or untar
    target, extracted = _places(folder, name, extract, given=fname is not None)
    _download_unless_cached(origin, target, file_hash, algorithm, force_download)
    if not extract:
        return os.fspath(target)
    if not _extract(target, extracted, "tar" if untar else archive_format):
        warnings.warn(f"get_file: {target} is not a tar or zip archive; nothing was extracted", stacklevel=2)
    return os.fspath(extracted)


def _algorithm(hash_algorithm: str, file_hash) -> str:
    if hash_algorithm not in ("auto", "md5", "sha256"):
        raise ValueError(f"get_file: hash_algorithm must be 'auto', 'md5' or 'sha256'; received {hash_algorithm!r}")
    if hash_algorithm == "auto":
        return algorithm_of(file_hash or "")
    return hash_algorithm


def _download_unless_cached(origin: str, target: Path, file_hash, algorithm: str, force: bool) -> None:
    """Download to `target` unless it is there and, with a hash, intact."""
    if force or not target.exists() or (file_hash and not _matches(target, file_hash, algorithm)):
        _download(origin, target, file_hash, algorithm)


def _matches(path: Path, file_hash: str, algorithm: str) -> bool:
    return digest_of(path, algorithm) == file_hash.lower()


def _keras_2_untar(origin: str, folder: Path, name: str, file_hash, algorithm: str, force_download: bool) -> str:
    """Keras 2.3's `untar=True`: the archive kept as '<name>.tar.gz', its members extracted into the
    cache folder itself, and '<folder>/<name>' returned (Keras 2's image_ocr.py reads the files next
    to that path: os.path.dirname(get_file('wordlists.tgz', ..., untar=True)))."""
    target, answer = folder / f"{name}.tar.gz", folder / name
    _download_unless_cached(origin, target, file_hash, algorithm, force_download)
    if not answer.exists():
        _untar(target, folder)
    return os.fspath(answer)


def _places(folder: Path, name: str, extract: bool, given: bool) -> tuple[Path, Path]:
    """Where the file goes and where it is extracted: Keras 3's names (an archive given the name
    'data.tar.gz' extracts to 'data_extracted', one named 'data' or named by its URL downloads to
    '<name>_archive' and extracts to '<name>')."""
    if not extract:
        return folder / name, folder / name
    if given and "." in name:
        return folder / name, folder / f"{name.split('.')[0]}_extracted"
    return folder / f"{name}_archive", folder / name


def _download(origin: str, target: Path, file_hash, algorithm: str) -> None:
    bar, received = [], [0]  # made at the first chunk, when the size (if the server gives one) is known

    def progress(done: int, total: int | None) -> None:
        if not bar:
            bar.append(Progbar(total, unit_name="byte"))
        received[0] = done
        bar[0].update(done)

    def matches(path: Path) -> None:
        if file_hash and not _matches(path, file_hash, algorithm):
            raise ValueError(f"get_file: {origin} does not match the {algorithm} hash {file_hash}; it was not kept")

    try:
        fetch(origin, target, 60, check=matches, progress=progress)
    except (urllib.error.URLError, OSError) as error:
        raise OSError(f"get_file: downloading {origin} failed ({getattr(error, 'reason', error)})") from None
    finally:
        if bar:
            bar[0].update(received[0], finalize=True)


def _extract(archive: Path, destination: Path, archive_format) -> bool:
    """Extract `archive` into `destination` (replacing an earlier extraction); False if the
    format is not one of those asked for."""
    formats = ["tar", "zip"] if archive_format == "auto" else [archive_format] if archive_format else []
    if "tar" in formats and tarfile.is_tarfile(archive):
        _into_place(destination, lambda folder: _untar(archive, folder))
        return True
    if "zip" in formats and zipfile.is_zipfile(archive):
        _into_place(destination, lambda folder: _unzip(archive, folder))
        return True
    return False


def _into_place(destination: Path, fill) -> None:
    """Fill a fresh folder beside `destination`, then swap it in, so a half extraction never shows."""
    working = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        fill(working)
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(working, destination)
    finally:
        if working.exists():
            shutil.rmtree(working)


def _untar(archive: Path, folder: Path) -> None:
    with tarfile.open(archive) as tar:
        try:
            tar.extractall(folder, filter="data")  # no absolute paths, no "..", no links out
        except tarfile.FilterError as error:
            raise ValueError(f"get_file: {archive} tries to write outside its folder ({error})") from None


def _unzip(archive: Path, folder: Path) -> None:
    with zipfile.ZipFile(archive) as zipped:
        root = folder.resolve()
        for member in zipped.namelist():
            if not (root / member).resolve().is_relative_to(root):
                raise ValueError(f"get_file: {archive} tries to write {member!r} outside its folder")
        zipped.extractall(folder)
