"""flow_from_directory: how fast batches come off the disk, cnnkit against Keras 3's own
DirectoryIterator (keras._tf_keras.keras.preprocessing.image, in bench/.keras-env).

Writes a folder of JPEG photos-like images (2 classes, 256x256 by default), then times one pass of
batches of 32 resized to 150x150, plain (rescale only) and with the Keras blog's augmentation
(shear 0.2, zoom 0.2, horizontal flips). cnnkit runs its flow with 1 worker thread and with its
default (one per core, up to 8); Keras iterates its iterator as fit does without workers. Each
measurement is the best of 3 passes, in a fresh process.

    bash bench/keras_env.sh                                   # once, for the Keras column
    .venv/bin/python bench/directory_flow.py [--images 1024] [--size 256]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
AUGMENTATIONS = {"rescale": {}, "augmented": {"shear_range": 0.2, "zoom_range": 0.2, "horizontal_flip": True}}


def write_folder(root: Path, count: int, size: int) -> None:
    from PIL import Image

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:size, :size] / size
    for n in range(count):
        folder = root / ("cats" if n % 2 else "dogs")
        folder.mkdir(parents=True, exist_ok=True)
        # smooth colour gradients and blobs: JPEG-typical content, not noise
        waves = np.sin(xx[..., None] * rng.uniform(2, 9, 3) + yy[..., None] * rng.uniform(2, 9, 3))
        picture = ((waves + 1) * 110 + rng.integers(0, 30, (size, size, 3))).clip(0, 255).astype(np.uint8)
        Image.fromarray(picture).save(folder / f"{n:05d}.jpg", quality=90)


def one_pass_seconds(flow) -> float:
    start = time.perf_counter()
    if hasattr(flow, "workers") and flow.workers > 1:  # cnnkit: as fit loads it
        from cnnkit.training.dataset_loading import in_threads

        for _ in in_threads(flow, list(range(len(flow))), pin=False):
            pass
    else:
        for index in range(len(flow)):
            flow[index]
    return time.perf_counter() - start


def worker(impl: str, folder: str, augmentation: str, workers: int) -> None:
    if impl == "keras":  # Keras 3 keeps the classic iterators under its Keras 2 compatible names
        from keras._tf_keras.keras.preprocessing.image import ImageDataGenerator
    else:
        from cnnkit.preprocessing.image import ImageDataGenerator
    datagen = ImageDataGenerator(rescale=1 / 255, **AUGMENTATIONS[augmentation])
    flow = datagen.flow_from_directory(folder, target_size=(150, 150), batch_size=32, class_mode="binary")
    if impl == "cnnkit":
        flow.workers = workers
    times = [one_pass_seconds(flow) for _ in range(3)]
    print(json.dumps({"images_per_s": flow.samples / min(times)}))


def measure(impl: str, folder: Path, augmentation: str, workers: int) -> float | None:
    python = str(HERE / ".keras-env" / "bin" / "python") if impl == "keras" else sys.executable
    if not Path(python).exists():
        return None
    env = dict(os.environ, KERAS_BACKEND="torch")
    command = [python, __file__, "--worker", impl, str(folder), augmentation, str(workers)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print(f"{impl} failed: {result.stderr.strip().splitlines()[-1]}", file=sys.stderr)
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])["images_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--worker", nargs=4, metavar=("IMPL", "FOLDER", "AUGMENTATION", "WORKERS"))
    args = parser.parse_args()
    if args.worker:
        impl, folder, augmentation, workers = args.worker
        worker(impl, folder, augmentation, int(workers))
        return
    from cnnkit.datasets.folder_batches import default_workers

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        write_folder(folder, args.images, args.size)
        print(f"{args.images} JPEGs {args.size}x{args.size} -> 150x150, batch 32, {default_workers()} cores")
        print("| batches | cnnkit, 1 thread | cnnkit, default threads | Keras 3 (torch) |")
        print("|---|---|---|---|")
        for augmentation in AUGMENTATIONS:
            cells = [
                measure("cnnkit", folder, augmentation, 1),
                measure("cnnkit", folder, augmentation, default_workers()),
                measure("keras", folder, augmentation, 1),
            ]
            row = " | ".join(f"{cell:,.0f} img/s" if cell else "-" for cell in cells)
            print(f"| {augmentation} | {row} |", flush=True)


if __name__ == "__main__":
    main()
