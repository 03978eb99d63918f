"""`cnnkit run SCRIPT [ARGS...]`: an unmodified Keras program, run as `python SCRIPT ARGS` would
run it (`sys.argv`, `__name__ == "__main__"`), with its Keras imports resolving to cnnkit."""

from __future__ import annotations

import os
import runpy
import sys

from cnnkit import keras_alias
from cnnkit.cli.errors import CommandError


def add_arguments(command) -> None:
    command.add_argument("script", help="a Python program written for Keras")
    command.add_argument("args", nargs="...", help="the program's own arguments")


def run(args) -> int:
    if not os.path.isfile(args.script):
        raise CommandError(f"{args.script}: no such file")
    keras_alias.install()
    sys.argv = [args.script, *args.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))  # as python puts the script's folder first
    try:
        runpy.run_path(args.script, run_name="__main__")
    except keras_alias.TensorFlowNeeded as error:
        raise CommandError(str(error)) from None
    return 0
