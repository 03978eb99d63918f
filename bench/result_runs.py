"""What the result_*.py scripts share: train one `cnnkit train` run per seed, as a user would type
it, and collect each run's metrics.json (test accuracy, seconds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUNS = Path("runs") / "results"


def train_runs(name: str, options: list[str], seeds: list[int]) -> list[dict]:
    results = []
    for seed in seeds:
        out = RUNS / f"{name}-{seed}"
        command = [
            sys.executable,
            "-m",
            "cnnkit",
            "train",
            *options,
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--exist-ok",
        ]
        print("$", " ".join(command[2:]), flush=True)
        subprocess.run(command, check=True)
        metrics = json.loads((out / "metrics.json").read_text())
        print(f"seed {seed}: test accuracy {metrics['test_accuracy']:.4f}, {metrics['train_seconds']:.0f} s training")
        results.append(metrics)
    return results
