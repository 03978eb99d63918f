"""Small image folders written by the tests: one sub-folder per class, PNG and JPEG, grey or RGB."""

from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ("circle", "square", "stripes")


def shape_image(rng, kind: int, height: int, width: int) -> np.ndarray:
    """An RGB uint8 picture of class `kind`, learnable in an epoch or two."""
    yy, xx = np.mgrid[:height, :width]
    if kind == 0:
        mask = (yy - height / 2) ** 2 + (xx - width / 2) ** 2 < (min(height, width) / 3) ** 2
    elif kind == 1:
        mask = (abs(yy - height / 2) < height / 4) & (abs(xx - width / 2) < width / 4)
    else:
        mask = (xx // 2) % 2 == 0
    image = rng.integers(0, 40, (height, width, 3))
    image[mask] += rng.integers(150, 215, 3)
    return image.astype(np.uint8)


def write_image_folder(root: Path, per_class=12, size=(20, 24), grey=False, seed=0, order=None) -> list[Path]:
    """Writes root/<class>/<n>.png|jpg (every third one JPEG); returns the files in writing order.
    `order` permutes the writing order (to check the split does not depend on it)."""
    rng = np.random.default_rng(seed)
    jobs = [(kind, n) for kind in range(len(CLASSES)) for n in range(per_class)]
    pictures = {job: shape_image(rng, job[0], *size) for job in jobs}
    files = []
    for kind, n in [jobs[k] for k in order] if order is not None else jobs:
        folder = root / CLASSES[kind]
        folder.mkdir(parents=True, exist_ok=True)
        image = Image.fromarray(pictures[(kind, n)])
        image = image.convert("L") if grey else image
        path = folder / (f"{n:03d}.jpg" if n % 3 == 2 else f"{n:03d}.png")
        image.save(path)
        files.append(path)
    return files
