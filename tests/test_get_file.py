"""utils.get_file against a real HTTP server on localhost: caching, hashes, Keras 3's names for
extracted archives, and archives that try to write outside their folder."""

import hashlib
import io
import tarfile
import zipfile

import pytest

from cnnkit.utils import get_file, image_dataset_from_directory
from tests.http_files import serving


@pytest.fixture
def served(tmp_path):
    """(folder the server serves, its URL, the requests it received)."""
    root = tmp_path / "www"
    root.mkdir()
    with serving(root) as (url, requests):
        yield root, url, requests


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path / "keras" / "datasets"


def add_to_tar(tar, name, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_downloads_once_into_the_keras_cache(served, cache):
    root, url, requests = served
    (root / "notes.txt").write_bytes(b"hello")
    sha256 = hashlib.sha256(b"hello").hexdigest()
    path = get_file(origin=url + "notes.txt", file_hash=sha256)
    assert path == str(cache / "notes.txt") and (cache / "notes.txt").read_bytes() == b"hello"
    assert get_file("notes.txt", url + "notes.txt", file_hash=sha256) == path and len(requests) == 1
    (cache / "notes.txt").write_bytes(b"half")  # a damaged copy is fetched again
    get_file("notes.txt", url + "notes.txt", md5_hash=hashlib.md5(b"hello").hexdigest())
    assert (cache / "notes.txt").read_bytes() == b"hello" and len(requests) == 2
    get_file("notes.txt", url + "notes.txt", force_download=True)
    assert len(requests) == 3


def test_a_wrong_hash_keeps_nothing(served, cache):
    root, url, _ = served
    (root / "data.bin").write_bytes(b"abc")
    with pytest.raises(ValueError, match="does not match the md5 hash"):
        get_file(origin=url + "data.bin", file_hash="0" * 32)
    assert not cache.exists() or not any(cache.iterdir())
    with pytest.raises(OSError, match="downloading .*missing.bin failed"):
        get_file(origin=url + "missing.bin")
    with pytest.raises(ValueError, match="not a path"):
        get_file("sub/data.bin", url + "data.bin")


def test_an_image_archive_extracts_where_keras_3_puts_it(served, cache, rng):
    from PIL import Image

    root, url, _ = served
    with tarfile.open(root / "flowers.tgz", "w:gz") as tar:
        for cls in ("daisy", "rose"):
            for i in range(3):
                image = io.BytesIO()
                Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype="uint8")).save(image, "PNG")
                add_to_tar(tar, f"flowers/{cls}/{i}.png", image.getvalue())
    folder = get_file(origin=url + "flowers.tgz", extract=True)
    assert folder == str(cache / "flowers.tgz") and (cache / "flowers.tgz_archive").is_file()
    data = image_dataset_from_directory(f"{folder}/flowers", image_size=(8, 8), batch_size=6)
    assert data.class_names == ["daisy", "rose"]
    named = get_file("pictures.tar.gz", url + "flowers.tgz", extract=True)
    assert named == str(cache / "pictures_extracted")
    bare = get_file("pictures", url + "flowers.tgz", extract=True)
    assert bare == str(cache / "pictures") and (cache / "pictures_archive").is_file()


def test_zip_archives_extract_too(served, cache):
    root, url, _ = served
    with zipfile.ZipFile(root / "texts.zip", "w") as zipped:
        zipped.writestr("texts/a.txt", "one")
    folder = get_file(origin=url + "texts.zip", extract=True)
    assert (cache / "texts.zip" / "texts" / "a.txt").read_text() == "one" and folder.endswith("texts.zip")


def test_archives_cannot_write_outside_their_folder(served, cache, tmp_path):
    root, url, _ = served
    with tarfile.open(root / "evil.tar", "w") as tar:
        add_to_tar(tar, "../../escaped.txt", b"x")
    with pytest.raises(ValueError, match="outside its folder"):
        get_file(origin=url + "evil.tar", extract=True)
    with zipfile.ZipFile(root / "evil.zip", "w") as zipped:
        zipped.writestr("../escaped.txt", "x")
    with pytest.raises(ValueError, match="outside its folder"):
        get_file(origin=url + "evil.zip", extract=True)
    assert not list(tmp_path.rglob("escaped.txt"))
