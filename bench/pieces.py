"""Inference at batch 1024 on the CPU, whole and in pieces of several sizes: the measurement behind
cnnkit/training/inference_pieces.py (PIECE_BYTES). Images/s of the model's forward on 1024 samples, best of
6 calls, for the whole batch, fixed piece sizes, and the size piece_size() picks.

    .venv/bin/python bench/pieces.py [--models fashion_cnn,lenet5,resnet20,lstm]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from frameworks import SHAPES, cnnkit_model  # noqa: E402

from cnnkit.training import inference_pieces as pieces  # noqa: E402
from cnnkit.training.batch_sources import convert_inputs  # noqa: E402


def images_per_second(model, x: torch.Tensor, piece: int | None, calls: int = 6) -> float:
    pieces.in_pieces(model, x, piece)  # warm-up
    best = float("inf")
    for _ in range(calls):
        start = time.perf_counter()
        pieces.in_pieces(model, x, piece)
        best = min(best, time.perf_counter() - start)
    return len(x) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="fashion_cnn,lenet5,resnet20,lstm")
    args = parser.parse_args()
    sizes = (None, 512, 256, 128, 64, 32)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch 1024, images/s")
    print("| model | chosen piece | " + " | ".join("whole" if s is None else str(s) for s in sizes) + " | chosen |")
    print("|---|---|" + "---|" * (len(sizes) + 1))
    for name in args.models.split(","):
        model = cnnkit_model(name).eval()
        x = np.random.default_rng(0).random((1024, *SHAPES[name]), dtype=np.float32)
        inputs = convert_inputs(x, model.input_shape, torch.device("cpu"), name)
        with torch.no_grad():
            chosen = pieces.piece_size(model, inputs)
            rates = [images_per_second(model, inputs, size) for size in (*sizes, chosen)]
        cells = " | ".join(f"{rate:,.0f}" for rate in rates)
        print(f"| {name} | {chosen} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
