"""`cnnkit compare`: several zoo models trained under one budget (same data, epochs, batch size,
optimizer and seed), each into its own run folder, then a leaderboard as a table and a plot.
Or `cnnkit compare RUN RUN ...`: finished runs side by side, their learning curves overlaid.

With --resume an interrupted comparison keeps the finished runs and continues the unfinished one.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
from pathlib import Path

from cnnkit import distributed
from cnnkit.applications import list_models
from cnnkit.cli import data as datasets
from cnnkit.cli import train
from cnnkit.cli.errors import CommandError
from cnnkit.cli.json_files import read_json
from cnnkit.cli.run_report import read_history
from cnnkit.cli.zoo_commands import build
from cnnkit.common.files import atomic_write

COLUMNS = ["model", "test_accuracy", "parameters", "seconds_per_epoch", "train_images_per_second"]


def add_arguments(parser) -> None:
    parser.add_argument("runs", nargs="*", help="finished run folders to compare (instead of --models)")
    parser.add_argument("--models", help="comma-separated zoo names to train, e.g. lenet5,fashion_cnn,resnet20")
    train.add_training_arguments(parser)
    parser.add_argument(
        "--out", default=None, help="the folder for the runs and leaderboard (runs/compare-DATA, or runs/compare)"
    )
    parser.add_argument("--resume", action="store_true", help="continue an interrupted comparison in --out")


def model_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise CommandError("--models needs at least one model name")
    if len(set(names)) != len(names):
        raise CommandError(f"--models names a model twice: {text!r}")
    unknown = [name for name in names if name not in list_models()]
    if unknown:
        raise CommandError(f"unknown model {unknown[0]!r}; `cnnkit models` lists them: {', '.join(list_models())}")
    return names


def _finished(run: Path) -> dict | None:
    metrics = run / "metrics.json"
    if metrics.exists() and not (run / "backup").exists():
        return read_json(metrics)
    return None


def table(rows: list[dict]) -> str:
    lines = [
        "| model | test accuracy | parameters | seconds per epoch | training images/s |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['model']} | {row['test_accuracy']:.4f} | {row['parameters']:,} | "
            f"{row['seconds_per_epoch']:.1f} | {row['train_images_per_second']:,.0f} |"
        )
    return "\n".join(lines)


def write_leaderboard(out: Path, rows: list[dict]) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({key: row[key] for key in COLUMNS} for row in rows)
    atomic_write(out / "leaderboard.csv", lambda stream: stream.write(text.getvalue().encode()))
    atomic_write(out / "leaderboard.md", lambda stream: stream.write((table(rows) + "\n").encode()))
    from cnnkit.report import plots  # matplotlib loads only when a plot is drawn

    figure = plots.leaderboard(
        [r["model"] for r in rows], [r["test_accuracy"] for r in rows], [r["seconds_per_epoch"] for r in rows]
    )
    png = plots.png_bytes(figure)
    atomic_write(out / "leaderboard.png", lambda stream: stream.write(png))


def finished_runs(folders: list[str]) -> tuple[list[dict], dict[str, dict]]:
    """The leaderboard rows and the histories of finished run folders, named by their folders."""
    rows, histories = [], {}
    for folder in map(Path, folders):
        metrics = _finished(folder)
        if metrics is None:
            raise CommandError(f"{folder}: not a finished run (no metrics.json, or still has a backup to resume)")
        name = folder.name if folder.name not in histories else str(folder)
        rows.append({"model": name, **metrics})
        histories[name] = read_history(folder / "history.csv")
    return rows, histories


def compare_runs(args) -> int:
    if args.models:
        raise CommandError("give run folders to compare, or --models to train; not both")
    rows, histories = finished_runs(args.runs)
    out = Path(args.out or "runs/compare")
    rows.sort(key=lambda row: -row["test_accuracy"])
    write_leaderboard(out, rows)
    from cnnkit.report import plots

    png = plots.png_bytes(plots.overlaid_curves(histories))
    atomic_write(out / "curves.png", lambda stream: stream.write(png))
    print(table(rows))
    print(f"leaderboard: {out / 'leaderboard.md'}; learning curves overlaid: {out / 'curves.png'}")
    return 0


def run(args) -> int:
    if args.runs:
        return compare_runs(args)
    if not args.models or not args.data:
        raise CommandError("--models and --data are required (or finished run folders to compare)")
    names = model_names(args.models)
    args.data = datasets.canonical_name(args.data)
    out = Path(args.out or train.default_folder("compare", args.data))
    data = datasets.load(args.data, args.data_dir, datasets.parse_size(args.image_size), args.stream)
    for name in names:  # every name and shape is checked before the first model trains
        build(name, data.input_shape, len(data.class_names), device="meta")
    rows = []
    for name in names:
        run_folder = out / name
        metrics = _finished(run_folder) if args.resume else None
        if metrics is None:
            resume = args.resume and (run_folder / "backup").exists()
            if not resume:
                shutil.rmtree(run_folder / "backup", ignore_errors=True)
            options = {**vars(args), "model": name, "out": str(run_folder), "resume": resume, "exist_ok": True}
            for key in ("models", "runs", "given"):
                options.pop(key, None)
            print(f"== {name} ==")
            metrics = train.train_one(argparse.Namespace(**options), data)
            if metrics is None:
                print(f"compare interrupted during {name}; continue with the same command and --resume")
                return 130
        if not distributed.is_main():  # under torchrun, process 0 alone writes the leaderboard
            continue
        if not metrics:
            raise CommandError(f"{args.data} has no test images to compare the models on")
        rows.append({"model": name, **metrics})
    if not distributed.is_main():
        return 0
    rows.sort(key=lambda row: -row["test_accuracy"])
    write_leaderboard(out, rows)
    print(table(rows))
    print(f"leaderboard: {out / 'leaderboard.md'}, {out / 'leaderboard.csv'}, {out / 'leaderboard.png'}")
    return 0
