"""Image files sorted into one sub-folder per class, as in-memory arrays with a reproducible split.

    PATH/cat/001.jpg, PATH/cat/002.png, ..., PATH/dog/...   ->   classes ["cat", "dog"]

Every image is decoded, converted to grey or RGB and resized to one size (by default the most
common size among the files, and grey only when every file is grey). A file that cannot be read
as an image is reported through `on_skip` and left out; it never stops the load. The test split
is drawn per class with a seed taken from the class name, so the same files always give the
same split, whatever order the file system lists them in; both parts are then shuffled with
`seed`, as Keras's image_dataset_from_directory does.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from cnnkit.datasets.idx import DatasetError

GREY_MODES = {"1", "L", "LA", "I", "I;16", "F"}
SPLIT_NAMES = {"train", "test", "val", "valid", "validation"}


@dataclass
class FolderData:
    x_train: np.ndarray  # (N, H, W, C) uint8
    y_train: np.ndarray  # (N,) int64
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    x_val: np.ndarray | None = None  # a split folder's val/ beside its test/ (see split_folders)
    y_val: np.ndarray | None = None


# What a file that is not a usable image raises: PIL's own refusal of a decompression bomb (an
# image declaring far more pixels than it could hold) is not an OSError.
UNREADABLE = (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError)


def read_image(path, height: int, width: int, channels: int) -> np.ndarray:
    """One file as uint8 (height, width, channels): grey or RGB, resized bilinearly. Raises OSError
    (UnidentifiedImageError among them) when the file is not a readable image."""
    with Image.open(path) as image:
        image = image.convert("L" if channels == 1 else "RGB")
        if image.size != (width, height):
            image = image.resize((width, height), Image.BILINEAR)
        return np.asarray(image, dtype=np.uint8).reshape(height, width, channels)


def _class_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        raise DatasetError(f"{root}: no such folder (expected one sub-folder of images per class)")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise DatasetError(f"{root}: no class sub-folders (expected e.g. {root}/cat/1.jpg, {root}/dog/2.jpg)")
    names = {p.name.lower() for p in folders}
    if names <= SPLIT_NAMES:
        raise DatasetError(
            f"{root}: its sub-folders {sorted(p.name for p in folders)} look like splits, not classes; "
            f"a split folder needs train/ beside test/ or val/ (or point at one of them, e.g. {root / folders[0].name})"
        )
    return folders


def split_folders(root: Path) -> dict[str, Path] | None:
    """PATH/train/<class>/..., PATH/val/<class>/..., PATH/test/<class>/...: the splits a folder
    brings, as {"train", "validation", "test"} -> folder; None for a folder of class folders."""
    if not root.is_dir():
        return None
    found = {p.name.lower(): p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}
    if not found or not set(found) <= SPLIT_NAMES or "train" not in found:
        return None
    splits = {"train": found["train"]}
    validation = next((found[name] for name in ("val", "valid", "validation") if name in found), None)
    if "test" in found:
        splits["test"] = found["test"]
        if validation is not None:
            splits["validation"] = validation
    elif validation is not None:  # train/ and val/ only: val/ is what the model is scored on
        splits["test"] = validation
    else:
        raise DatasetError(f"{root}: a train/ folder needs a test/ or val/ folder beside it")
    return splits


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def _split(count: int, class_name: str, test_fraction: float) -> np.ndarray:
    """A boolean mask: which of `count` (sorted) files of a class are test files."""
    tests = 0 if count < 2 or test_fraction == 0 else min(count - 1, max(1, round(count * test_fraction)))
    order = np.random.default_rng(zlib.crc32(class_name.encode())).permutation(count)
    mask = np.zeros(count, dtype=bool)
    mask[order[:tests]] = True
    return mask


def _header(path: Path) -> tuple[tuple[int, int], bool]:
    """((height, width), is_grey) from the file's header, without decoding its pixels."""
    with Image.open(path) as image:
        return (image.height, image.width), image.mode in GREY_MODES


@dataclass
class FolderFiles:
    """A folder's readable image files, split, with the one size and colour they will be read at."""

    train: list[tuple[Path, int]]  # (file, label)
    test: list[tuple[Path, int]]
    class_names: list[str]
    height: int
    width: int
    channels: int
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    validation: list[tuple[Path, int]] = field(default_factory=list)  # a split folder's val/, if it has test/ too

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return (self.height, self.width, self.channels)


def _check_classes(root: Path, class_names: list[str], counts: Counter) -> None:
    """A classifier needs two classes or more, each with images: one class trains to a meaningless
    accuracy of 1.0, and an empty one is a class nothing can teach."""
    if len(class_names) < 2:
        raise DatasetError(f"{root}: only one class folder ({class_names[0]}); a classifier needs two or more")
    empty = [name for label, name in enumerate(class_names) if not counts[label]]
    if empty:
        raise DatasetError(
            f"{root}: class folder(s) {', '.join(empty)} hold no readable images; add images or remove them"
        )


def _check_arguments(test_fraction: float, channels: int | None) -> None:
    if not 0 <= test_fraction < 1:
        raise DatasetError(f"test_fraction must be in [0, 1); received {test_fraction}")
    if channels not in (None, 1, 3):
        raise DatasetError(f"channels must be 1 or 3; received {channels}")


def list_files(
    path,
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    test_fraction: float = 0.2,
    on_skip: Callable[[str, str], None] | None = None,
) -> FolderFiles:
    """PATH/<class>/<image files>, split, from the files' headers only (no pixels decoded)."""
    _check_arguments(test_fraction, channels)
    root = Path(path)
    skipped: list[tuple[str, str]] = []
    entries = []  # (file, label, part, size, grey); part: "train", "test" or "validation"
    class_names = []
    splits = split_folders(root)
    for part, folder in (splits or {"train": root}).items():
        for class_folder in _class_folders(folder):
            if part == "train":
                class_names.append(class_folder.name)
            elif class_folder.name not in class_names:
                raise DatasetError(f"{class_folder}: a class that {splits['train']} does not have")
            label = class_names.index(class_folder.name)
            files = _files(class_folder)
            tests = _split(len(files), class_folder.name, 0.0 if splits else test_fraction)
            for file, is_test in zip(files, tests):
                try:
                    size, grey = _header(file)
                except UNREADABLE as error:
                    _skip(skipped, on_skip, file, f"not a readable image ({error})")
                    continue
                entries.append((file, label, "test" if is_test else part, size, grey))
    if not entries:
        raise DatasetError(f"{root}: no readable images in {len(class_names)} class folders")
    _check_classes(root, class_names, Counter(label for _, label, where, *_ in entries if where == "train"))
    height, width = image_size or Counter(size for *_, size, _ in entries).most_common(1)[0][0]
    channels = channels or (1 if all(grey for *_, grey in entries) else 3)
    part = lambda name: [(file, label) for file, label, where, *_ in entries if where == name]  # noqa: E731
    return FolderFiles(
        part("train"), part("test"), class_names, height, width, channels, skipped, validation=part("validation")
    )


def _skip(skipped: list, on_skip, file, why: str) -> None:
    skipped.append((str(file), why))
    if on_skip is not None:
        on_skip(str(file), why)


def read_images(files: list[tuple[Path, int]], shape, skipped: list, on_skip=None) -> tuple[np.ndarray, np.ndarray]:
    """Decode (file, label) pairs into uint8 images of `shape` (H, W, C) and int64 labels. A file
    whose header read but whose pixels do not (a truncated JPEG, say) is skipped."""
    images, labels = [], []
    for file, label in files:
        try:
            images.append(read_image(file, *shape))
        except UNREADABLE as error:
            _skip(skipped, on_skip, file, f"not a readable image ({error})")
            continue
        labels.append(label)
    if not images:
        return np.zeros((0, *shape), np.uint8), np.zeros(0, np.int64)
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def load_data(
    path,
    image_size: tuple[int, int] | None = None,
    channels: int | None = None,
    test_fraction: float = 0.2,
    on_skip: Callable[[str, str], None] | None = None,
    seed: int = 0,
) -> FolderData:
    """Read PATH/<class>/<image files> into arrays; see the module's docstring."""
    files = list_files(path, image_size, channels, test_fraction, on_skip)

    def arrays(part):
        images, labels = read_images(part, files.image_shape, files.skipped, on_skip)
        # Shuffled (reproducibly), since files come class by class and a validation split takes
        # the last part of the training arrays, as in Keras.
        order = np.random.default_rng(seed).permutation(len(images))
        return images[order], labels[order]

    (x_train, y_train), (x_test, y_test) = arrays(files.train), arrays(files.test)
    if len(x_train) == 0:
        raise DatasetError(f"{path}: no readable training images")
    x_val, y_val = arrays(files.validation) if files.validation else (None, None)
    return FolderData(x_train, y_train, x_test, y_test, files.class_names, files.skipped, x_val, y_val)
