"""`cnnkit predict`: classify image files with a trained model, printing the top classes."""

from __future__ import annotations

import glob
import json
from pathlib import Path

import numpy as np

from cnnkit.cli.errors import CommandError
from cnnkit.cli.evaluate import locate_model, open_model
from cnnkit.datasets.image_folder import read_image as read_pixels

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}


def read_image(path: str, shape: tuple[int, int, int]) -> np.ndarray:
    """The file as the model's input: resized to (height, width), grey or RGB as it has channels, in [0, 1]."""
    try:
        return read_pixels(path, *shape).astype(np.float32) / 255.0
    except FileNotFoundError:
        raise CommandError(f"no image file at {path!r}") from None
    except Exception as error:  # PIL's errors, its decompression-bomb refusal among them
        if not isinstance(error, (OSError, ValueError)) and not type(error).__module__.startswith("PIL"):
            raise
        raise CommandError(f"{path}: not a readable image ({error})") from None


def add_arguments(parser) -> None:
    parser.add_argument("target", help="a run folder or a model file")
    parser.add_argument("images", nargs="+", help="image files, folders of them, or globs such as 'photos/*.png'")
    parser.add_argument("--top", type=int, default=3, help="how many classes to show")
    parser.add_argument("--batch-size", type=int, default=64, help="images read and classified at a time")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")


def image_files(sources: list[str]) -> list[str]:
    """The files the arguments name: a file as given, a folder's images (sorted, sub-folders too),
    a glob's matches (for shells that pass the pattern on, and quoted ones)."""
    files = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            if not found:
                raise CommandError(f"{source}: no image files in this folder ({', '.join(sorted(IMAGE_SUFFIXES))})")
            files += found
        elif not path.exists() and glob.has_magic(source):
            found = sorted(glob.glob(source, recursive=True))
            if not found:
                raise CommandError(f"{source}: no file matches this pattern")
            files += found
        else:
            files.append(source)
    return files


def run(args) -> int:
    if args.top < 1 or args.batch_size < 1:
        raise CommandError(f"--top and --batch-size must be at least 1; received {args.top}, {args.batch_size}")
    files = image_files(args.images)
    model_path, config = locate_model(args.target)
    model = open_model(model_path)
    shape = tuple(model.input_shape[1:])
    if len(shape) != 3:
        raise CommandError(f"{model_path} does not take images (its input shape is {shape})")
    chunks = []
    for start in range(0, len(files), args.batch_size):  # a large folder never sits in memory at once
        batch = np.stack([read_image(path, shape) for path in files[start : start + args.batch_size]])
        chunks.append(model.predict(batch, verbose=0))
    probabilities = np.concatenate(chunks)
    names = config.get("class_names") or [str(k) for k in range(probabilities.shape[1])]
    results = []
    for path, row in zip(files, probabilities):
        top = np.argsort(row)[::-1][: args.top]
        results.append({"file": path, "top": [{"class": names[k], "probability": float(row[k])} for k in top]})
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for result in results:
        guesses = ", ".join(f"{t['class']} {t['probability']:.1%}" for t in result["top"])
        print(f"{result['file']}: {guesses}")
    return 0
