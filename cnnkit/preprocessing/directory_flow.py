"""ImageDataGenerator.flow_from_directory: augmented batches read from image files while the model
trains (Keras's DirectoryIterator).

    directory/cats/001.jpg, directory/cats/002.jpg, ..., directory/dogs/...  ->  classes cats, dogs

Each class is a sub-folder (searched recursively, in sorted order); files with an image extension
count, hidden ones (a leading dot) do not. With `validation_split`, the first part of each class's
files is the "validation" subset and the rest "training", as in Keras. Files whose header does not
read as an image are reported and left out when the folder is listed; `classes`, `filenames` and
`samples` then describe exactly the images the batches hold, in order when shuffle=False (for
lining predictions up with them).

Batches are decoded by worker threads (one per core, up to 8: Pillow releases the GIL), resized to
`target_size`, then transformed and standardized by the generator. Pixel values are 0..255 until
the generator's `rescale`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from cnnkit import distributed
from cnnkit.datasets.folder_batches import default_workers
from cnnkit.preprocessing.flow import Flow, check_subset, subset_slice
from cnnkit.preprocessing.image_files import IMAGE_EXTENSIONS, image_files, keep_readable, read_image
from cnnkit.preprocessing.image_utils import COLOR_MODES, INTERPOLATIONS, channels_of, check_choice, check_target_size

CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
WHERE = "flow_from_directory"


def class_folders(directory: Path, classes) -> list[str]:
    """The class names: the given ones, or every visible sub-folder in sorted order."""
    if not directory.is_dir():
        raise ValueError(f"{WHERE}: {directory} is not a folder (expected one sub-folder of images per class)")
    if classes is None:
        classes = sorted(p.name for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not classes:
            raise ValueError(f"{WHERE}: {directory} has no class sub-folders (expected e.g. {directory}/cats/1.jpg)")
        return classes
    missing = [name for name in classes if not (directory / name).is_dir()]
    if missing:
        raise ValueError(f"{WHERE}: classes {missing} have no sub-folder in {directory}")
    return list(classes)


class DirectoryFlow(Flow):
    """Batches (images, labels) from `directory`; see the module's docstring."""

    WHERE = WHERE

    def __init__(
        self,
        generator,
        directory,
        target_size=(256, 256),
        color_mode: str = "rgb",
        classes=None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed=None,
        save=(None, "", "png"),
        follow_links: bool = False,
        subset=None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
    ) -> None:
        check_target_size(target_size, WHERE)
        check_choice(color_mode, COLOR_MODES, "color_mode", WHERE)
        check_choice(class_mode, CLASS_MODES, "class_mode", WHERE)
        check_choice(interpolation, INTERPOLATIONS, "interpolation", WHERE)
        check_subset(generator.validation_split, subset, WHERE)
        self.directory = Path(directory)
        self.target_size, self.color_mode, self.class_mode = tuple(target_size), color_mode, class_mode
        self.interpolation, self.keep_aspect_ratio = interpolation, bool(keep_aspect_ratio)
        self.image_shape = (*self.target_size, channels_of(color_mode))
        self.data_format = "channels_last"
        names = class_folders(self.directory, classes)
        if class_mode == "binary" and len(names) != 2:
            raise ValueError(f"{WHERE}: class_mode='binary' needs 2 classes; {self.directory} has {names}")
        self.class_indices = {name: index for index, name in enumerate(names)}
        self.num_classes = len(names)
        self.filepaths, labels = self._list(names, generator.validation_split, subset, follow_links)
        self.filenames = [os.path.relpath(path, self.directory) for path in self.filepaths]
        self.classes = np.asarray(labels, dtype=np.int32)
        self.samples = len(self.filepaths)
        if not self.samples:
            extensions = ", ".join(sorted(IMAGE_EXTENSIONS))
            raise ValueError(f"{WHERE}: no readable images ({extensions}) in the class folders {names} of {directory}")
        if distributed.is_main():
            print(f"Found {self.samples} images belonging to {self.num_classes} classes.", flush=True)
        super().__init__(generator, self.samples, batch_size, shuffle, seed, default_workers(), save)

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    def _list(self, names, validation_split: float, subset, follow_links: bool) -> tuple[list[str], list[int]]:
        paths, labels = [], []
        for label, name in enumerate(names):
            files = image_files(self.directory / name, follow_links)
            chosen = files[subset_slice(len(files), validation_split, subset)]
            paths += chosen
            labels += [label] * len(chosen)
        return keep_readable(paths, labels)

    def _read(self, path: str) -> np.ndarray:
        fit = "crop" if self.keep_aspect_ratio else "stretch"
        return read_image(path, WHERE, self.color_mode, self.target_size, self.interpolation, fit)

    def make_batch(self, picked, random):
        pixels = np.empty((len(picked), *self.image_shape), np.float32)
        for row, index in enumerate(picked):
            pixels[row] = self._read(self.filepaths[index])  # uint8 to float32 in the one copy
        images = self.augment(pixels, random)
        labels = self.classes[picked]
        if self.class_mode in ("sparse", "binary"):
            return images, labels.astype(np.float32)
        if self.class_mode == "categorical":
            return images, np.eye(self.num_classes, dtype=np.float32)[labels]
        if self.class_mode == "input":
            return images, images.copy()
        return images
