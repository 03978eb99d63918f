"""`cnnkit predict`: classify image files with a trained model, printing the top classes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from cnnkit.cli.errors import CommandError
from cnnkit.cli.evaluate import locate_model, open_model
from cnnkit.datasets.image_folder import read_image as read_pixels


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


def run(args) -> int:
    if args.top < 1:
        raise CommandError(f"--top must be at least 1; received {args.top}")
    model_path, config = locate_model(args.target)
    model = open_model(model_path)
    shape = tuple(model.input_shape[1:])
    if len(shape) != 3:
        raise CommandError(f"{model_path} does not take images (its input shape is {shape})")
    batch = np.stack([read_image(path, shape) for path in args.images])
    probabilities = model.predict(batch, verbose=0)
    names = config.get("class_names") or [str(k) for k in range(probabilities.shape[1])]
    results = []
    for path, row in zip(args.images, probabilities):
        top = np.argsort(row)[::-1][: args.top]
        results.append({"file": path, "top": [{"class": names[k], "probability": float(row[k])} for k in top]})
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for result in results:
        guesses = ", ".join(f"{t['class']} {t['probability']:.1%}" for t in result["top"])
        print(f"{Path(result['file']).name}: {guesses}")
    return 0
