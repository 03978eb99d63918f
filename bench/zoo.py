"""The model zoo on this machine: parameters, forward multiply-adds, training-step time, memory.

For every registered model at its small input size and at ImageNet size (224x224x3), in a fresh
process each (so peak memory is the model's own):
- parameters (trainable + moving statistics) as the summary counts them;
- forward multiply-adds per image, from torch's own FLOP counter (convolutions and matrix
  products; 2 FLOPs = 1 multiply-add);
- forward + backward time per image, the median of `--repeats` steps after one warm-up step;
- peak resident memory of the process.

    .venv/bin/python bench/zoo.py [--only resnet20,vgg16] [--sizes small,imagenet] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

SMALL = {"lenet5": (32, 32, 1), "lenet5_modern": (32, 32, 1), "fashion_cnn": (28, 28, 1)}
BATCH = {"small": 32, "imagenet": 2}


def worker(name: str, size: str, repeats: int) -> None:
    from cnnkit.applications import get_model

    shape = SMALL.get(name, (32, 32, 3)) if size == "small" else (224, 224, 3)
    model = get_model(name, input_shape=shape, classes=10 if size == "small" else 1000)
    batch = BATCH[size]
    x = torch.randn(batch, shape[2], shape[0], shape[1])
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x[:1])
    multiply_adds = counter.get_total_flops() // 2
    model.train()
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        model.zero_grad(set_to_none=True)
        model(x).logsumexp(1).sum().backward()
        times.append((time.perf_counter() - start) / batch)
    result = {
        "model": name,
        "size": size,
        "input": "x".join(map(str, shape)),
        "params": model.count_params(),
        "madds": multiply_adds,
        "ms_per_image": 1000 * statistics.median(times[1:]),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=None, help="comma-separated model names (default: all registered)")
    parser.add_argument("--sizes", default="small,imagenet")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", nargs=2, metavar=("MODEL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker, args.repeats)
        return
    from cnnkit.applications import list_models

    names = args.only.split(",") if args.only else list_models()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; batch {BATCH} per step")
    print("| model | input | params | forward multiply-adds | fwd+bwd ms/image | peak MB |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        for name in names:
            command = [sys.executable, __file__, "--worker", name, size, "--repeats", str(args.repeats)]
            row = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            print(
                f"| {row['model']} | {row['input']} | {row['params']:,} | {row['madds'] / 1e6:,.1f}M "
                f"| {row['ms_per_image']:.1f} | {row['peak_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
