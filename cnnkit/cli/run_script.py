"""`cnnkit run SCRIPT [ARGS...]`: an unmodified Keras program, run as `python SCRIPT ARGS` would
run it (`sys.argv`, `__name__ == "__main__"`), with its Keras imports resolving to cnnkit."""

from __future__ import annotations

import argparse
import os
import runpy
import sys

from cnnkit import keras_alias
from cnnkit.cli.errors import CommandError
from cnnkit.common import keras_defaults
from cnnkit.training import smoke_caps


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; received {text!r}")
    return int(text)


def add_arguments(command) -> None:
    command.add_argument(
        "--max-epochs", type=_count, default=None, metavar="N", help="run every fit for at most N epochs (smoke runs)"
    )
    command.add_argument(
        "--max-samples",
        type=_count,
        default=None,
        metavar="N",
        help="at most N samples an epoch in every fit and evaluate, and N per split from every load_data",
    )
    command.add_argument(
        "--keep-data",
        action="store_true",
        help="leave load_data uncapped (for programs that reshape the data to its full size)",
    )
    command.add_argument(
        "--keras",
        type=int,
        choices=(2, 3),
        default=3,
        help="whose defaults where Keras 2.3 and 3 differ (optimizer learning rates, ...); default 3",
    )
    command.add_argument("script", help="a Python program written for Keras")
    command.add_argument("args", nargs="...", help="the program's own arguments")


def run(args) -> int:
    if not os.path.isfile(args.script):
        raise CommandError(f"{args.script}: no such file")
    keras_alias.install()
    keras_defaults.set_version(args.keras)
    smoke_caps.set_caps(args.max_epochs, args.max_samples)
    if args.max_samples is not None and not args.keep_data:
        smoke_caps.cap_data_sets()
    sys.argv = [args.script, *args.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))  # as python puts the script's folder first
    try:
        runpy.run_path(args.script, run_name="__main__")
    except keras_alias.TensorFlowNeeded as error:
        raise CommandError(str(error)) from None
    return 0
