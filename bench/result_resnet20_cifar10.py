"""Result: ResNet-20 on CIFAR-10 with the paper's recipe (He et al. 2015, section 4.2: SGD with
momentum 0.9, learning rate 0.1 divided by 10 at half and three quarters of training, weight decay
1e-4, batch 128; the paper augments with 4-pixel shifts and flips, `cnnkit train --augment` with
shifts of a tenth, small rotations and zooms). The paper reports 8.75% test error.

    .venv/bin/python bench/result_resnet20_cifar10.py --data PATH/cifar-10-batches-py [--seeds 0] [--epochs 164]

CIFAR-10 cannot be downloaded on the machines this project runs on: the script takes the folder of
the python version's batches. 164 epochs is the paper's 64k iterations at batch 128; on a 2-core
CPU one epoch takes minutes, so this is a run for a GPU (`--device cuda`).
"""

from __future__ import annotations

import argparse
import statistics
import sys

from result_runs import train_runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="the folder holding CIFAR-10's data_batch_1 ... test_batch")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=164)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    options = ["--model", "resnet20", "--data", "cifar10", "--data-dir", args.data, "--epochs", str(args.epochs)]
    options += ["--optimizer", "sgd", "--lr", "0.1", "--momentum", "0.9", "--lr-decay", "step"]
    options += ["--weight-decay", "1e-4", "--batch-size", "128", "--augment", "--val-split", "0"]
    options += ["--device", args.device] if args.device else []
    errors = [1 - run["test_accuracy"] for run in train_runs("resnet20-cifar10", options, args.seeds)]
    median = statistics.median(errors)
    listed = ", ".join(f"{error:.2%}" for error in errors)
    print(f"ResNet-20 on CIFAR-10: test error {listed}; median {median:.2%} (paper 8.75%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
