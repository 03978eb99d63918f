"""Where a run's settings come from, besides the command line: a `--config FILE` (JSON; a run's own
config.json works), and on `--resume` the interrupted run's config.json. What the command line
says explicitly always wins; a resumed run refuses a change that would make it a different run.

And what config.json records beyond the settings: the command, the time, the host, versions and
the git commit of the folder the command ran in, so that a run can be traced and repeated.
"""

from __future__ import annotations

import datetime
import platform
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

import cnnkit
from cnnkit.cli.checks import did_you_mean
from cnnkit.cli.errors import CommandError
from cnnkit.cli.json_files import read_json

# Never taken from a file: where the run goes and how it starts are the command line's to say.
NOT_FROM_FILES = {"out", "resume", "config", "exist_ok", "command", "handler", "given"}
# What config.json holds besides the settings; ignored when the file is read back as settings.
RECORD_KEYS = {
    "input_shape",
    "class_names",
    "versions",
    "command_line",
    "started",
    "host",
    "git",
    "resumed",
    "hardware",
}
RECORD_KEYS |= {"source_model_file", "source_model"}
# A resumed run continues the same training: these cannot change (epochs, say, can).
SAME_RUN = ["model", "data", "image_size", "augment", "dropout", "weights"]


def _settings_in(path: Path, options: set[str]) -> dict:
    values = read_json(path)
    if not isinstance(values, dict):
        raise CommandError(f'{path}: expected a JSON object of settings such as {{"epochs": 10}}')
    settings = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name in RECORD_KEYS or name in NOT_FROM_FILES:
            continue
        if name not in options:
            raise CommandError(f"{path}: no setting {key!r}; {did_you_mean(name, sorted(options))}see --help")
        settings[name] = value
    return settings


def apply_config_file(args) -> None:
    """--config FILE: its settings where the command line gave none."""
    if getattr(args, "config", None):
        _fill(args, _settings_in(Path(args.config), _options(args)))


def apply_saved_run(args, out: Path) -> None:
    """--resume: the run's own settings where the command line gave none; a different model, data
    set or input is refused before anything is written."""
    saved_file = out / "config.json"
    if not saved_file.exists():
        raise CommandError(f"--resume: {out} holds no interrupted run to continue (no config.json)")
    saved = _settings_in(saved_file, _options(args))
    for key in SAME_RUN:
        if key in args.given and key in saved and getattr(args, key) != saved[key]:
            raise CommandError(
                f"--resume: {out} is a run with --{key.replace('_', '-')} {saved[key]}; "
                f"--{key.replace('_', '-')} {getattr(args, key)} would be a different run: "
                f"leave it out to continue, or train into a new folder"
            )
    _fill(args, saved)


def _options(args) -> set[str]:
    return set(vars(args)) - NOT_FROM_FILES


def _fill(args, settings: dict) -> None:
    for key, value in settings.items():
        if key not in args.given:
            setattr(args, key, value)


def _git(folder: Path) -> dict | None:
    """The commit (and whether files differ from it) of the git work tree the command ran in."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout
    except (OSError, subprocess.SubprocessError):  # no git, or not a work tree
        return None
    return {"commit": commit, "uncommitted_changes": bool(changes.strip())}


def versions() -> dict:
    return {
        "cnnkit": cnnkit.__version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware(device: torch.device) -> dict:
    found = {"device": str(device), "threads": torch.get_num_threads(), "cpu": cpu_name()}
    if device.type == "cuda":
        found["gpu"] = torch.cuda.get_device_name(device)
    return found


def record(command_line: str | None) -> dict:
    """What config.json keeps besides the settings."""
    return {
        "command_line": command_line or shlex.join(["cnnkit", *sys.argv[1:]]),
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": platform.node(),
        "git": _git(Path.cwd()),
        "versions": versions(),
    }
