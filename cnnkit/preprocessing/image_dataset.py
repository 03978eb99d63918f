"""keras.utils.image_dataset_from_directory: batches of images read from a folder of class
sub-folders while the model trains.

    train_ds, val_ds = image_dataset_from_directory(
        "flowers", validation_split=0.2, subset="both", seed=123, image_size=(180, 180), batch_size=32)
    model.fit(train_ds, validation_data=val_ds, epochs=10)

As in Keras: every file is listed (classes in sorted order, or `class_names`'s), the list is
shuffled once with `seed` (NumPy's RandomState, so a seed splits the files as Keras splits them),
and the last `validation_split` of it is the validation subset. The training batches are
reshuffled every epoch. Images are float32 in 0..255, (batch, height, width, channels), resized
by Pillow; labels int32, one-hot float32 ("categorical") or float32 (batch, 1) ("binary").

Keras returns a tf.data.Dataset. cnnkit returns a PyDataset (NumPy batches, made ahead by worker
threads) with the parts of tf.data that Keras scripts use: `class_names`, `file_paths`, `len()`,
iteration, `take(n)`, `skip(n)`, `map(function)`, `cache()` and `prefetch()`.
"""

from __future__ import annotations

import numbers
import threading
from pathlib import Path

import numpy as np

from cnnkit import session
from cnnkit.datasets.folder_batches import default_workers
from cnnkit.preprocessing.chained_batches import ChainedBatches
from cnnkit.preprocessing.directory_index import labels_batch, list_folder, split_datasets
from cnnkit.preprocessing.flow import Flow
from cnnkit.preprocessing.image_files import keep_readable, read_image
from cnnkit.preprocessing.image_utils import COLOR_MODES, channels_of, check_choice

WHERE = "image_dataset_from_directory"
EXTENSIONS = {".bmp", ".gif", ".jpeg", ".jpg", ".png"}  # Keras's list
LABEL_MODES = ("int", "categorical", "binary", None)
# Keras's interpolation names (TensorFlow's resize methods) and the Pillow filters that do the same.
INTERPOLATIONS = {
    "bilinear": "bilinear",
    "nearest": "nearest",
    "bicubic": "bicubic",
    "area": "box",
    "lanczos3": "lanczos",
}


class ImageDataset(ChainedBatches, Flow):
    """What image_dataset_from_directory returns; see the module's docstring."""

    WHERE = WHERE

    def __init__(self, paths, labels, settings: dict, batch_size: int, shuffle: bool, seed) -> None:
        self.file_paths, self.labels = list(paths), labels
        self.class_names, self.label_mode = settings["class_names"], settings["label_mode"]
        self.num_classes = settings["num_classes"]
        self.image_size, self.color_mode = settings["image_size"], settings["color_mode"]
        self.interpolation, self.fit = settings["interpolation"], settings["fit"]
        self.image_shape = (*self.image_size, channels_of(self.color_mode))
        self._cache: dict[int, np.ndarray] | None = None
        self._cache_lock = threading.Lock()
        super().__init__(None, len(self.file_paths), batch_size, shuffle, seed, default_workers(), (None, "", "png"))

    def cache(self, filename: str = "") -> ImageDataset:
        """Keep each image once decoded (as its uint8 pixels: exact, 4x smaller than float32), so
        epochs after the first read no file. In memory only: tf.data's cache(filename) is refused."""
        if filename:
            raise ValueError(f"{WHERE}: cache(filename) to a file is not supported; call cache() to cache in memory")
        if self._cache is None:
            self._cache = {}
        return self

    def _pixels(self, index: int) -> np.ndarray:
        cached = None if self._cache is None else self._cache.get(index)
        if cached is not None:
            return cached
        path = self.file_paths[index]
        pixels = read_image(path, WHERE, self.color_mode, self.image_size, self.interpolation, self.fit)
        if self._cache is not None:
            with self._cache_lock:
                self._cache[index] = pixels
        return pixels

    def make_batch(self, picked, random):
        images = np.empty((len(picked), *self.image_shape), np.float32)
        for row, index in enumerate(picked):
            images[row] = self._pixels(index)  # uint8 to float32 in the one copy
        if self.label_mode is None:
            return images
        return images, labels_batch(self.labels[picked], self.label_mode, self.num_classes)


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode: str | None = "int",
    class_names=None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size=(256, 256),
    shuffle: bool = True,
    seed=None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: str | None = None,
    verbose: bool = True,
):
    """Batches (images, labels) from the image files under `directory`; see the module's docstring.
    With subset="both", a pair (training, validation)."""
    directory = Path(directory)
    check_choice(label_mode, LABEL_MODES, "label_mode", WHERE)
    check_choice(color_mode, COLOR_MODES, "color_mode", WHERE)
    if interpolation not in INTERPOLATIONS:
        names = ", ".join(map(repr, INTERPOLATIONS))
        raise ValueError(f"{WHERE}: interpolation must be one of {names}; received interpolation={interpolation!r}")
    image_size = _image_size(image_size)
    if batch_size is None:
        raise ValueError(f"{WHERE}: batch_size=None (single images, for tf.data's .batch()) is not supported")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{WHERE}: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    if (data_format or session.image_data_format()) != "channels_last":
        raise ValueError(f"{WHERE}: cnnkit takes images channels-last; received data_format={data_format!r}")
    split = (validation_split, subset)
    listing = list_folder(
        WHERE, directory, labels, label_mode, class_names, follow_links, EXTENSIONS, shuffle, seed, split, verbose
    )
    settings = {
        "class_names": listing.class_names,
        "label_mode": listing.label_mode,
        "num_classes": listing.num_classes,
        "image_size": image_size,
        "color_mode": color_mode,
        "interpolation": INTERPOLATIONS[interpolation],
        "fit": "crop" if crop_to_aspect_ratio else "pad" if pad_to_aspect_ratio else "stretch",
    }

    def make(paths, labels_array, shuffled: bool) -> ImageDataset:
        return ImageDataset(paths, labels_array, settings, batch_size, shuffled, listing.seed)

    return split_datasets(WHERE, listing, split, shuffle, verbose, make, keep=keep_readable)


def _image_size(image_size) -> tuple[int, int]:
    size = (image_size, image_size) if isinstance(image_size, numbers.Integral) else image_size
    if not (
        isinstance(size, (tuple, list))
        and len(size) == 2
        and all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0 for d in size)
    ):
        raise ValueError(f"{WHERE}: image_size must be (height, width) of positive ints; received {image_size!r}")
    return int(size[0]), int(size[1])
