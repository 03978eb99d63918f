"""Transfer learning vs training from scratch, on 1,000 real Fashion-MNIST images.

Both use the same architecture (the tutorial CNN's convolution blocks and a new 128-unit head)
and the same images; transfer starts from a backbone trained on MNIST (2 epochs) whose first two
convolution blocks stay frozen for 20 epochs (the third block and the head train), then everything
is fine-tuned for 10 epochs at learning rate 1e-4; scratch trains for 30 epochs at Adam's default.
Test accuracy is on all 10,000 Fashion-MNIST test images. Target: transfer wins.

    .venv/bin/python bench/transfer.py [--data ../shared/datasets] [--seeds 0,1,2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

import transfer_learning as example  # noqa: E402

import cnnkit as keras  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None)
    parser.add_argument("--subset", type=int, default=1000)
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    print("| seed | transfer (MNIST backbone) | from scratch | transfer - scratch | seconds |")
    print("|---|---|---|---|---|")
    wins = []
    for seed in (int(s) for s in args.seeds.split(",")):
        start = time.perf_counter()
        keras.utils.set_random_seed(seed)
        (digits, digit_labels), (x, y), (test, test_labels) = example.load(args.data, args.subset, seed)
        base = example.train_base(digits, digit_labels, verbose=0)
        transferred = example.transfer(base, x, y)
        _, transfer_accuracy = transferred.evaluate(test, test_labels, verbose=0)
        keras.utils.set_random_seed(seed)
        scratch = example.from_scratch(x, y)
        _, scratch_accuracy = scratch.evaluate(test, test_labels, verbose=0)
        gap = transfer_accuracy - scratch_accuracy
        wins.append(gap > 0)
        seconds = time.perf_counter() - start
        print(f"| {seed} | {transfer_accuracy:.4f} | {scratch_accuracy:.4f} | {gap:+.4f} | {seconds:.0f} |", flush=True)
    print(f"transfer won {sum(wins)} of {len(wins)} runs: {'PASS' if all(wins) else 'FAIL'}")
    return 0 if all(wins) else 1


if __name__ == "__main__":
    sys.exit(main())
