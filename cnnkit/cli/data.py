"""Data sets for the command line: by name, as float images (N, H, W, C) in [0, 1] with class names.

Names: mnist, fashion_mnist, cifar10, digits, and folder:PATH (one sub-folder of images per class).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cnnkit import distributed
from cnnkit.cli.errors import CommandError
from cnnkit.cli.on_disk import IN_MEMORY_LIMIT, OnDisk
from cnnkit.datasets import cifar10, digits, fashion_mnist, image_folder, mnist
from cnnkit.datasets.idx import DatasetError

FOLDER_PREFIX = "folder:"


@dataclass
class ImageData:
    name: str
    x_train: np.ndarray | OnDisk  # OnDisk: a large folder's images, read while training
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    x_val: np.ndarray | None = None  # a folder's own validation split (val/ beside train/ and test/)
    y_val: np.ndarray | None = None

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])

    def split_counts(self, val_split: float) -> tuple[int, int]:
        """(training, validation) images: the folder's own val/, else the last val_split of x_train."""
        if self.x_val is not None:
            return len(self.x_train), len(self.x_val)
        train = int(len(self.x_train) * (1 - val_split))
        return train, len(self.x_train) - train


LOADERS = {
    "mnist": (mnist.load_data, [str(d) for d in range(10)]),
    "fashion_mnist": (fashion_mnist.load_data, list(fashion_mnist.CLASS_NAMES)),
    "cifar10": (cifar10.load_data, list(cifar10.CLASS_NAMES)),
    "digits": (digits.load_data, list(digits.CLASS_NAMES)),
}
KNOWN = ", ".join([*sorted(LOADERS), f"{FOLDER_PREFIX}PATH"])


def _images(array: np.ndarray) -> np.ndarray:
    array = array[..., None] if array.ndim == 3 else array
    return array.astype(np.float32) / 255.0


def _report_skipped(path: str, why: str) -> None:
    if distributed.is_main():  # under torchrun every process lists the same files: said once
        print(f"skipped {path}: {why}", file=sys.stderr)


def _load_folder(name: str, image_size, stream: str) -> ImageData:
    path = name[len(FOLDER_PREFIX) :]
    if not path:
        raise CommandError(f"--data {FOLDER_PREFIX}PATH needs a folder path; received {name!r}")
    try:
        files = image_folder.list_files(path, image_size=image_size, on_skip=_report_skipped)
        training = OnDisk(files.train, files.image_shape)
        if stream == "on" or (stream == "auto" and training.decoded_bytes > IN_MEMORY_LIMIT):
            if distributed.is_main():  # under torchrun, said once
                print(f"{len(training)} training images of {path} are read from disk each epoch", file=sys.stderr)
            read = lambda part: image_folder.read_images(part, files.image_shape, files.skipped, _report_skipped)  # noqa: E731
            x_test, y_test = read(files.test)
            x_val, y_val = read(files.validation) if files.validation else (None, None)
            labels = np.asarray([label for _, label in files.train], dtype=np.int64)
            val = _images(x_val) if x_val is not None else None
            return ImageData(name, training, labels, _images(x_test), y_test, files.class_names, val, y_val)
        folder = image_folder.load_data(path, image_size=image_size, on_skip=_report_skipped)
    except DatasetError as error:
        raise CommandError(f"cannot load {name}: {error}") from None
    if folder.skipped and distributed.is_main():
        print(f"{len(folder.skipped)} unreadable file(s) skipped in {path}", file=sys.stderr)
    x, y, xt, yt = (folder.x_train, folder.y_train, folder.x_test, folder.y_test)
    val = _images(folder.x_val) if folder.x_val is not None else None
    return ImageData(name, _images(x), y, _images(xt), yt, folder.class_names, val, folder.y_val)


def canonical_name(name: str) -> str:
    """folder:PATH with PATH made absolute, so a run's config finds its data from any directory."""
    if name.startswith(FOLDER_PREFIX) and len(name) > len(FOLDER_PREFIX):
        return FOLDER_PREFIX + str(Path(name[len(FOLDER_PREFIX) :]).resolve())
    return name


def load(
    name: str, folder: str | None = None, image_size: tuple[int, int] | None = None, stream: str = "auto"
) -> ImageData:
    """The data set `name`; `image_size` (height, width) resizes every image."""
    if name.startswith(FOLDER_PREFIX):
        return _load_folder(name, image_size, stream)
    if name not in LOADERS:
        raise CommandError(f"unknown data set {name!r}; known: {KNOWN}")
    loader, class_names = LOADERS[name]
    try:
        (x, y), (xt, yt) = loader(folder)
    except (DatasetError, OSError) as error:
        raise CommandError(f"cannot load {name}: {error}") from None
    labels = lambda y_: y_.reshape(-1).astype(np.int64)  # noqa: E731 (CIFAR's labels are (N, 1))
    data = ImageData(name, _images(x), labels(y), _images(xt), labels(yt), class_names)
    return data if image_size is None else fit_to_shape(data, (*image_size, data.input_shape[2]))


def _resize(images: np.ndarray, height: int, width: int) -> np.ndarray:
    if images.shape[1:3] == (height, width) or len(images) == 0:
        return images
    out = np.empty((len(images), height, width, images.shape[3]), np.float32)
    for start in range(0, len(images), 1024):  # in slices, so a large set needs little extra memory
        batch = torch.from_numpy(images[start : start + 1024]).permute(0, 3, 1, 2)
        resized = F.interpolate(batch, size=(height, width), mode="bilinear", antialias=True, align_corners=False)
        out[start : start + 1024] = resized.clamp(0, 1).permute(0, 2, 3, 1).numpy()
    return out


def _channels(images: np.ndarray, channels: int) -> np.ndarray:
    if images.shape[3] == channels:
        return images
    if channels == 3 and images.shape[3] == 1:
        return np.repeat(images, 3, axis=3)
    if channels == 1 and images.shape[3] == 3:  # ITU-R 601 luma, as PIL's convert("L")
        return (images @ np.array([0.299, 0.587, 0.114], np.float32))[..., None]
    raise CommandError(f"cannot turn {images.shape[3]}-channel images into {channels} channels")


def fit_to_shape(data: ImageData, shape) -> ImageData:
    """The data resized and converted to (height, width, channels), e.g. a trained model's input;
    the data itself when it already has that shape."""
    if data.input_shape == tuple(shape):
        return data
    height, width, channels = shape
    convert = lambda x: _channels(_resize(x, height, width), channels)  # noqa: E731
    x_val = convert(data.x_val) if data.x_val is not None else None
    if isinstance(data.x_train, OnDisk):  # read straight at the new shape
        x_train = OnDisk(data.x_train.files, tuple(shape))
        return replace(data, x_train=x_train, x_test=convert(data.x_test), x_val=x_val)
    return replace(data, x_train=convert(data.x_train), x_test=convert(data.x_test), x_val=x_val)


def parse_size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        size = tuple(int(part) for part in text.split(","))
    except ValueError:
        size = ()
    if len(size) == 1:
        size = size * 2
    if len(size) != 2 or min(size) <= 0:
        raise CommandError(f"--image-size must be height,width such as 32,32 (or one number); received {text!r}")
    return size
