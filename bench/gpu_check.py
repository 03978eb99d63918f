"""CUDA checks for a lent GPU machine (CI has none, so these are not tests).

1. determinism: set_random_seed + set_deterministic give bit-identical weights on two GPU runs;
2. a model trained on the GPU saves, loads, and predicts the same on the GPU and on the CPU;
3. fit's speed on the GPU against the hand-written loop (bench/speed_core.py's workers).

    python3 bench/gpu_check.py --data DIR_WITH_fashion-mnist
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

import cnnkit as keras
from cnnkit import applications, layers
from cnnkit.datasets import fashion_mnist


def train_once(x, y, augment: bool):
    keras.utils.set_random_seed(0)
    model = applications.ResNet20(input_shape=(28, 28, 1), classes=10)
    if augment:
        model = keras.Sequential([layers.Input(shape=(28, 28, 1)), layers.RandomTranslation(0.1, 0.1), model])
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=128, epochs=2, verbose=0)
    return model


def check_determinism(x, y) -> None:
    keras.utils.set_deterministic()
    for augment in (False, True):
        try:
            first, second = train_once(x, y, augment), train_once(x, y, augment)
        except RuntimeError as error:
            print(f"determinism (augment={augment}): torch refused: {str(error).splitlines()[0]}")
            continue
        same = all(np.array_equal(a, b) for a, b in zip(first.get_weights(), second.get_weights()))
        print(f"determinism (augment={augment}): two GPU runs bit-identical: {same}")
    keras.utils.set_deterministic(False)


def check_save_load(x, y, folder: Path) -> None:
    model = train_once(x, y, augment=False)
    model.save(folder / "gpu.keras")
    on_gpu = keras.models.load_model(folder / "gpu.keras")
    keras.backend.set_device("cpu")
    on_cpu = keras.models.load_model(folder / "gpu.keras")
    keras.backend.set_device("cuda")
    reference = model.predict(x[:512], verbose=0)
    gpu_gap = np.abs(on_gpu.predict(x[:512], verbose=0) - reference).max()
    cpu_gap = np.abs(on_cpu.predict(x[:512], verbose=0) - reference).max()
    devices = {str(p.device) for p in on_gpu.parameters()}, {str(p.device) for p in on_cpu.parameters()}
    print(f"save/load: GPU copy max diff {gpu_gap:.2e} on {devices[0]}")
    print(f"save/load: CPU copy max diff {cpu_gap:.2e} on {devices[1]}")


def check_speed() -> None:
    bench = Path(__file__).with_name("speed_core.py")
    for model in ("fashion_cnn", "lenet"):
        for batch in (64, 256):
            rates = {}
            for impl in ("torch", "cnnkit", "torch", "cnnkit"):
                worker = [sys.executable, str(bench), "--worker", impl, model, str(batch), "25600", "3"]
                output = subprocess.run(worker, capture_output=True, text=True, check=True).stdout
                rates.setdefault(impl, []).append(json.loads(output.strip().splitlines()[-1])["images_per_s"])
            best = {impl: max(values) for impl, values in rates.items()}
            print(
                f"speed {model} batch {batch}: cnnkit {best['cnnkit']:,.0f} images/s, "
                f"hand-written {best['torch']:,.0f} images/s, ratio {best['cnnkit'] / best['torch']:.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", default=".")
    args = parser.parse_args()
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}; cnnkit device {keras.backend.get_device()}")
    (x, y), _ = fashion_mnist.load_data(Path(args.data) / "fashion-mnist")
    x = x[:8192, :, :, None].astype(np.float32) / 255
    y = y[:8192].astype(np.int64)
    start = time.perf_counter()
    check_determinism(x, y)
    check_save_load(x, y, Path(args.out))
    check_speed()
    print(f"gpu_check done in {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()
