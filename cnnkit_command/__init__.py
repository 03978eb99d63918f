"""The `cnnkit` command's entry point. `cnnkit --version` and `cnnkit models` answer from here
without importing torch (seconds saved on every call); everything else goes to cnnkit.cli.

It is a package of its own because importing anything under `cnnkit` runs cnnkit/__init__.py,
which imports torch.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from importlib import metadata
from pathlib import Path


def version() -> str:
    try:
        return metadata.version("cnnkit")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def zoo_table_path() -> Path:
    """cnnkit/cli/zoo_table.json, found without importing cnnkit."""
    spec = importlib.util.find_spec("cnnkit")
    return Path(next(iter(spec.submodule_search_locations))) / "cli" / "zoo_table.json"


def _quick(argv: list[str]) -> int | None:
    """The answer to the calls that need no torch, or None."""
    if argv in (["--version"], ["-V"]):
        print(f"cnnkit {version()}")
        return 0
    if argv[:1] == ["models"] and all(arg in ("models", "--markdown") for arg in argv):
        from cnnkit_command.zoo_table import format_table

        rows = json.loads(zoo_table_path().read_text())
        print(format_table(rows, markdown="--markdown" in argv))
        return 0
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        quick = _quick(argv)
        if quick is not None:
            return quick
        from cnnkit.cli import main as full_main

        return full_main(argv)
    except BrokenPipeError:  # `cnnkit models | head`: the reader left; no traceback for that
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own advice
        return 1
