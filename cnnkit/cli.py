"""The `cnnkit` command. For now it reports versions, the device and where data sets are found."""

from __future__ import annotations

import argparse
import sys

import torch

from cnnkit import __version__, backend
from cnnkit.datasets import fashion_mnist, mnist
from cnnkit.datasets.store import SYSTEM_DATASETS, cache_dir


def _info() -> None:
    print(f"cnnkit {__version__}, torch {torch.__version__}, device {backend.get_device()}")
    for spec in (mnist.SPEC, fashion_mnist.SPEC):
        found = [str(folder) for folder in (cache_dir(spec), SYSTEM_DATASETS / spec.name) if folder.is_dir()]
        print(f"{spec.title}: {', '.join(found) if found else 'not on this machine (load_data downloads it)'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cnnkit", description="Keras-style deep learning on PyTorch.")
    parser.add_argument("--version", action="version", version=f"cnnkit {__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("info", help="versions, the device, and where data sets are found")
    args = parser.parse_args(argv)
    if args.command == "info":
        _info()
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
