"""Finding and reading the image files of a folder, for the readers that stream them while a model
trains (ImageDataGenerator.flow_from_directory, image_dataset_from_directory).

Files are listed in a fixed (sorted) order, hidden ones left out. Headers are checked once, when
a folder is listed: a file that is not an image is reported and left out, not met mid-training.
A file whose header reads but whose pixels do not (a truncated JPEG) raises a one-line error
naming it when its batch is made.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from cnnkit import distributed
from cnnkit.datasets.folder_batches import default_workers
from cnnkit.datasets.image_folder import UNREADABLE
from cnnkit.preprocessing.image_utils import INTERPOLATIONS, load_img

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff"}


def image_files(folder: Path, follow_links: bool, extensions=IMAGE_EXTENSIONS) -> list[Path]:
    """The image files under `folder`, in a fixed (sorted) order. Hidden files and folders are left
    out (macOS's "._photo.jpg" companions, .ipynb_checkpoints)."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=follow_links):
        dirs[:] = [name for name in dirs if not name.startswith(".")]  # not walked into
        found += [
            Path(root) / name for name in files if Path(name).suffix.lower() in extensions and not name.startswith(".")
        ]
    return sorted(found)


def readable_problem(path) -> str | None:
    """None when the file's header reads as an image; otherwise why not."""
    try:
        with Image.open(path):
            return None
    except UNREADABLE as error:
        return f"not a readable image ({error})"


def keep_readable(paths: list, labels: list) -> tuple[list[str], list]:
    """The (path, label) pairs whose files read as images, in order; the others are reported (by
    the main process alone under torchrun) and left out."""
    with ThreadPoolExecutor(default_workers()) as pool:  # headers only: fast, and cheap to do once
        problems = list(pool.map(readable_problem, paths))
    kept_paths, kept_labels = [], []
    for path, label, problem in zip(paths, labels, problems):
        if problem is None:
            kept_paths.append(str(path))
            kept_labels.append(label)
        elif distributed.is_main():
            print(f"skipped {path}: {problem}", file=sys.stderr)
    return kept_paths, kept_labels


def _fit_with_padding(image: Image.Image, size: tuple[int, int], resample) -> Image.Image:
    """`image` scaled to fit inside `size` (width, height) without changing its aspect ratio, centred
    on a black (transparent) canvas of that size."""
    width, height = image.size
    scale = min(size[0] / width, size[1] / height)
    inner = (max(1, round(width * scale)), max(1, round(height * scale)))
    canvas = Image.new(image.mode, size)
    canvas.paste(image.resize(inner, resample), ((size[0] - inner[0]) // 2, (size[1] - inner[1]) // 2))
    return canvas


def read_image(path: str, where: str, color_mode: str, size, interpolation: str, fit: str = "stretch") -> np.ndarray:
    """The pixels (height, width, channels) of the image file at `path`, resized to `size`
    (height, width): stretched, cropped to its aspect ratio first ("crop"), or fitted inside
    and padded ("pad")."""
    try:
        if fit == "pad":
            image = load_img(path, color_mode)
            if image.size != (size[1], size[0]):
                image = _fit_with_padding(image, (size[1], size[0]), INTERPOLATIONS[interpolation])
        else:
            image = load_img(path, color_mode, tuple(size), interpolation, keep_aspect_ratio=fit == "crop")
    except UNREADABLE as error:  # the header read when listed, the pixels do not
        raise ValueError(f"{where}: cannot decode {path} ({error}); remove or replace the file") from None
    pixels = np.asarray(image)
    return pixels[..., None] if pixels.ndim == 2 else pixels
