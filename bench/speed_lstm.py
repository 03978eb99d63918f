"""LSTM speed: cnnkit's LSTM against torch.nn.LSTM used directly, at batch 64 and 256.

1. layer: forward + backward of LSTM(128) over 28 steps of 28 features (sequential MNIST), cnnkit's
   layer against nn.LSTM(28, 128, batch_first=True); median of many repetitions, alternating.
2. training: cnnkit's LSTMClassifier through fit against the loop an expert writes around
   nn.LSTM + nn.Linear with Adam (bench/frameworks.py's), on the same random sequences in memory.

    .venv/bin/python bench/speed_lstm.py [--rounds 3] [--samples 12800]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from frameworks import LSTMNet, hand_written_epochs  # bench/ is the script's folder
from torch import nn

import cnnkit as keras
from cnnkit import applications, layers

STEPS, FEATURES, UNITS = 28, 28, 128


def layer_seconds(module, x: torch.Tensor, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = module(x)
        out = out[0] if isinstance(out, tuple) else out
        out.sum().backward()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare_layers(batch: int, rounds: int) -> tuple[float, float]:
    x = torch.randn(batch, STEPS, FEATURES)
    ours = layers.LSTM(UNITS, return_sequences=True)
    ours.build_for((None, STEPS, FEATURES))
    theirs = nn.LSTM(FEATURES, UNITS, batch_first=True)
    best = {"cnnkit": float("inf"), "torch": float("inf")}
    for _ in range(rounds):
        best["torch"] = min(best["torch"], layer_seconds(theirs, x, 30))
        best["cnnkit"] = min(best["cnnkit"], layer_seconds(ours, x, 30))
    return best["cnnkit"], best["torch"]


def torch_epoch_seconds(x: np.ndarray, y: np.ndarray, batch: int, epochs: int) -> float:
    times = hand_written_epochs(LSTMNet(), torch.from_numpy(x), torch.from_numpy(y), epochs, batch)
    return min(times[1:])


def cnnkit_epoch_seconds(x: np.ndarray, y: np.ndarray, batch: int, epochs: int) -> float:
    model = applications.LSTMClassifier(input_shape=(STEPS, FEATURES), classes=10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    times: list[float] = []
    timer = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: times.append(-time.perf_counter()),
        on_epoch_end=lambda epoch, logs: times.append(times.pop() + time.perf_counter()),
    )
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
    return min(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=12800)
    args = parser.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((args.samples, STEPS, FEATURES), dtype=np.float32)
    y = rng.integers(0, 10, args.samples)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; LSTM({UNITS}) over {STEPS}x{FEATURES}")
    print("| what | batch | torch.nn.LSTM | cnnkit | speed ratio |")
    print("|---|---|---|---|---|")
    for batch in (64, 256):
        ours, theirs = compare_layers(batch, args.rounds)
        print(f"| layer fwd+bwd | {batch} | {theirs * 1e3:.2f} ms | {ours * 1e3:.2f} ms | {theirs / ours:.3f}x |")
    for batch in (64, 256):
        best = {"torch": float("inf"), "cnnkit": float("inf")}
        for _ in range(args.rounds):
            best["torch"] = min(best["torch"], torch_epoch_seconds(x, y, batch, 3))
            best["cnnkit"] = min(best["cnnkit"], cnnkit_epoch_seconds(x, y, batch, 3))
        rate = {impl: args.samples / seconds for impl, seconds in best.items()}
        print(
            f"| training epoch | {batch} | {rate['torch']:,.0f} seq/s | {rate['cnnkit']:,.0f} seq/s | "
            f"{rate['cnnkit'] / rate['torch']:.3f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
