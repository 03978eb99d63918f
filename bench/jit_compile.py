"""Does `compile(jit_compile=True)` (torch.compile) pay on this machine? For each model: eager and
compiled training images/s (best epoch after the first), the first epoch's extra seconds (the
compilation), and predict images/s at batch 1024, each side in a fresh process.

    .venv/bin/python bench/jit_compile.py [--samples 2048] [--epochs 3] [--models fashion_cnn,resnet20]
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

sys.path.insert(0, str(Path(__file__).parent))
from frameworks import SHAPES, best_seconds, cnnkit_model  # noqa: E402


def worker(name: str, compiled: bool, samples: int, epochs: int) -> dict:
    import cnnkit as keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((samples, *SHAPES[name]), dtype=np.float32)
    y = rng.integers(0, 10, samples)
    model = cnnkit_model(name)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=compiled)
    times: list[float] = []
    timer = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: times.append(-time.perf_counter()),
        on_epoch_end=lambda epoch, logs: times.append(times.pop() + time.perf_counter()),
    )
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=[timer])
    predict = best_seconds(lambda: model.predict(x, batch_size=1024, verbose=0))
    return {
        "train": samples / min(times[1:]),
        "first_epoch_extra_s": times[0] - min(times[1:]),
        "predict": samples / predict,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--models", default="fashion_cnn,resnet20")
    parser.add_argument("--worker", nargs=4, metavar=("MODEL", "COMPILED", "SAMPLES", "EPOCHS"))
    args = parser.parse_args()
    if args.worker:
        name, compiled, samples, epochs = args.worker
        print(json.dumps(worker(name, compiled == "1", int(samples), int(epochs))))
        return
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.samples} samples, batch 128")
    print("| model | eager train img/s | compiled train img/s | ratio | compile s | eager predict | compiled predict |")
    print("|---|---|---|---|---|---|---|")
    for name in args.models.split(","):
        results = {}
        for compiled in ("0", "1"):
            command = [sys.executable, __file__, "--worker", name, compiled, str(args.samples), str(args.epochs)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{name} compiled={compiled} failed: {done.stderr.strip().splitlines()[-1]}", file=sys.stderr)
                break
            results[compiled] = json.loads(done.stdout.strip().splitlines()[-1])
        else:
            eager, fast = results["0"], results["1"]
            print(
                f"| {name} | {eager['train']:,.0f} | {fast['train']:,.0f} | {fast['train'] / eager['train']:.2f}x "
                f"| {fast['first_epoch_extra_s']:.0f} | {eager['predict']:,.0f} | {fast['predict']:,.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
