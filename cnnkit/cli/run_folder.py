"""The run folder that `cnnkit train`, `transfer` and `compare` write, and how a run ends.

config.json   every setting, the seed, versions        history.csv   one row per epoch
best.keras    best validation accuracy so far          last.keras    the latest epoch
metrics.json  the best model's test results, timings   report.html   plots, tables, summary
*.png         the report's plots                       backup/       while a run is unfinished
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

from cnnkit import callbacks, mixed_precision
from cnnkit.cli.data import ImageData
from cnnkit.cli.evaluate import open_model
from cnnkit.cli.json_files import write_json
from cnnkit.cli.on_disk import OnDisk
from cnnkit.cli.run_report import best_epoch, build_report, duration, read_history, steady_epoch_seconds
from cnnkit.cli.scoring import score
from cnnkit.report import write_report
from cnnkit.training.progress import draws_live


class EpochTimer(callbacks.Callback):
    """Adds `epoch_seconds` and `learning_rate` to the epoch's logs, so history.csv keeps every
    epoch's time and rate (resumed runs included). It must come before the CSVLogger in the list."""

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self.start
            # the rate the epoch ran at, for the report's plot (fit logs it only under LR callbacks)
            logs.setdefault("learning_rate", float(self.model.optimizer.learning_rate))


def monitor_of(val_split: float, data: ImageData | None = None) -> str:
    validated = val_split or (data is not None and data.x_val is not None)
    return "val_accuracy" if validated else "accuracy"


def best_so_far(out: Path, monitor: str) -> float | None:
    """The best `monitor` value in history.csv: a resumed run must beat it before best.keras changes."""
    values = read_history(out / "history.csv").get(monitor)
    return max(values) if values else None


def _optional_callbacks(out: Path, args, monitor: str) -> list:
    chosen = []
    if getattr(args, "patience", None):
        chosen.append(callbacks.EarlyStopping(monitor=monitor, patience=args.patience, verbose=1))
    if getattr(args, "tensorboard", False):
        chosen.append(callbacks.TensorBoard(str(out / "tensorboard")))
    return chosen


def print_header(out: Path, args, data: ImageData, model, steps: int, rate: float, hardware: dict) -> None:
    """What is about to happen, before the first epoch: so a wrong device, size or folder shows at
    once. `hardware` is what config.json records (run_settings.hardware)."""
    train_count, val_count = data.split_counts(args.val_split)
    height, width, channels = data.input_shape
    parameters = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    where = hardware.get("gpu") or hardware["cpu"]
    lines = [
        f"cnnkit train: {args.model} on {data.name} -> {out}" + (" (resumed)" if args.resume else ""),
        f"  data      {train_count:,} training, {val_count:,} validation, "
        f"{len(data.y_test):,} test images of {height}x{width}x{channels}; {len(data.class_names)} classes",
        f"  model     {model.name}: {parameters:,} parameters ({trainable:,} trainable)",
        f"  device    {hardware['device']} ({where}), {hardware['threads']} threads; torch {torch.__version__}",
        f"  training  {args.epochs} epochs of {steps:,} steps, batch {args.batch_size}, {args.optimizer} "
        f"learning rate {rate:g}, decay {args.lr_decay}" + (f", patience {args.patience}" if args.patience else ""),
    ]
    print("\n".join(lines), flush=True)


def fit_into(
    out: Path, model, data: ImageData, args, *, epochs: int, initial_epoch: int = 0, resume=False, keep_backup=False
) -> bool:
    """model.fit with the run folder's callbacks; False if Ctrl-C stopped it (after the last
    finished epoch was saved). `resume` continues the interrupted run whose backup is in out/backup;
    `keep_backup` leaves the last epoch's backup for the caller to delete once the run is scored,
    so that a run stopped while scoring resumes straight to scoring."""
    monitor = monitor_of(args.val_split, data)
    continuing = resume or initial_epoch > 0
    best = callbacks.ModelCheckpoint(
        str(out / "best.keras"),
        monitor=monitor,
        save_best_only=True,
        initial_value_threshold=best_so_far(out, monitor) if continuing else None,
    )
    run_callbacks = [
        EpochTimer(),
        callbacks.CSVLogger(out / "history.csv", append=continuing),
        best,
        callbacks.ModelCheckpoint(str(out / "last.keras")),
        *_optional_callbacks(out, args, monitor),
        # The backup comes last: an interrupt before it is written repeats the epoch, and every
        # other file is rewritten for that epoch then.
        callbacks.BackupAndRestore(out / "backup", delete_checkpoint=not keep_backup),
    ]
    own_validation = (data.x_val, data.y_val) if data.x_val is not None else None  # a folder's val/
    val_split = 0.0 if own_validation else args.val_split
    if isinstance(data.x_train, OnDisk):  # a large folder: batches read by background threads
        train, validation = data.x_train.batches(args.batch_size, val_split, args.seed)
        source = {"x": train, "validation_data": own_validation or validation}
    else:
        source = {"x": data.x_train, "y": data.y_train, "batch_size": args.batch_size, "validation_split": val_split}
        if own_validation:
            source["validation_data"] = own_validation
    try:
        model.fit(
            **source,
            epochs=epochs,
            initial_epoch=initial_epoch,
            callbacks=run_callbacks,
            verbose=1 if draws_live(sys.stdout) else 2,  # one line per epoch in logs and CI
        )
    except KeyboardInterrupt:
        return False
    return True


def finish(out: Path, data: ImageData, config: dict, title: str) -> dict:
    """Score the run's best model on the test images; write metrics.json and the report."""
    model_path = out / "best.keras" if (out / "best.keras").exists() else out / "last.keras"
    mixed_precision.set_global_policy("float32")  # scored as `cnnkit evaluate` scores it
    model = open_model(model_path)
    history = read_history(out / "history.csv")
    if len(data.y_test) == 0:
        print(f"{data.name} has no test images: no test metrics or report", file=sys.stderr)
        return {}
    results = score(model, data.x_test, data.y_test, len(data.class_names))
    epoch_seconds = history.get("epoch_seconds", [])
    train_count, _ = data.split_counts(config.get("val_split", 0.0))
    metrics = {
        "model_file": model_path.name,
        "test_accuracy": results.accuracy,
        "test_loss": results.loss,
        "parameters": sum(p.numel() for p in model.parameters()),
        "epochs": len(history.get("loss", [])),
        "train_seconds": float(sum(epoch_seconds)),
        "seconds_per_epoch": steady_epoch_seconds(epoch_seconds),
        "train_images_per_second": train_count / steady_epoch_seconds(epoch_seconds) if epoch_seconds else None,
        "test_images_per_second": len(data.y_test) / max(results.seconds, 1e-9),
    }
    _, best = best_epoch(history)
    if best is not None:
        metrics["best_epoch"] = best + 1
    write_json(out / "metrics.json", metrics)
    write_report(out, build_report(title, model, data, results, history, config))
    chosen = f"best epoch {best + 1} of {metrics['epochs']}" if best is not None else model_path.name
    print(
        f"test accuracy {results.accuracy:.4f}, test loss {results.loss:.4f} ({chosen}); "
        f"{duration(metrics['train_seconds'])} training; report {out / 'report.html'}"
    )
    return metrics
