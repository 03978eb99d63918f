"""What a finished run hands the report: its history, test results, filters and feature maps.

Here the model is looked into (the first convolutions, one example's activations); cnnkit.report
then draws plain arrays.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import torch

from cnnkit.cli.data import ImageData
from cnnkit.cli.scoring import TestResults
from cnnkit.layers import Conv2D
from cnnkit.report import RunReport

WRONG_SHOWN = 24


def read_history(path: Path) -> dict[str, list[float]]:
    """history.csv as columns of floats, one value per epoch."""
    if not path.exists():
        return {}
    rows = list(csv.DictReader(path.open(newline="")))
    if not rows:
        return {}
    return {key: [float(row[key]) for row in rows] for key in rows[0] if key != "epoch"}


def first_convolutions(model, count: int = 2) -> list[Conv2D]:
    return [module for module in model.modules() if isinstance(module, Conv2D)][:count]


def feature_maps(model, convolutions: list[Conv2D], image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each convolution's output (C, H, W) for one image, caught by forward hooks during predict."""
    caught: dict[str, np.ndarray] = {}

    def catch(name):
        def hook(module, inputs, output) -> None:  # returns None: a hook's return value would replace the output
            caught.setdefault(name, output[0].detach().float().cpu().numpy())

        return hook

    hooks = [layer.register_forward_hook(catch(layer.name)) for layer in convolutions]
    try:
        model.predict(image[None], verbose=0)
    finally:
        for hook in hooks:
            hook.remove()
    return [(layer.name, caught[layer.name]) for layer in convolutions if layer.name in caught]


def summary_text(model) -> str:
    lines = io.StringIO()
    model.summary(print_fn=lambda text: lines.write(text + "\n"))
    return lines.getvalue()


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def timings(history: dict, train_count: int, results: TestResults, test_count: int) -> dict[str, str]:
    epoch_seconds = history.get("epoch_seconds", [])
    rows = {}
    if epoch_seconds:
        mean = float(np.mean(epoch_seconds))
        rows["training, all epochs"] = _duration(sum(epoch_seconds))
        rows["per epoch (with validation)"] = _duration(mean)
        rows["training images per second"] = f"{train_count / mean:,.0f}"
    rows["test predictions"] = f"{_duration(results.seconds)} for {test_count:,} images"
    rows["test images per second"] = f"{test_count / max(results.seconds, 1e-9):,.0f}"
    return rows


def build_report(title: str, model, data: ImageData, results: TestResults, history: dict, config: dict) -> RunReport:
    wrong = np.flatnonzero(results.predicted != data.y_test)[:WRONG_SHOWN]
    convolutions = first_convolutions(model)
    example = data.x_test[0] if len(data.x_test) else None
    maps = feature_maps(model, convolutions, example) if convolutions and example is not None else []
    parameters = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        kernel = convolutions[0].get_weights()[0] if convolutions else None
    train_count, _ = data.split_counts(config.get("val_split", 0.0))
    headline = {
        "test accuracy": f"{results.accuracy:.2%}",
        "test loss": f"{results.loss:.4f}",
        "epochs": str(len(history.get("loss", []))),
        "parameters": f"{parameters:,}",
    }
    return RunReport(
        title=title,
        history=history,
        class_names=data.class_names,
        confusion=results.confusion,
        scores=results.scores,
        headline=headline,
        wrong_images=data.x_test[wrong],
        wrong_true=data.y_test[wrong].tolist(),
        wrong_predicted=results.predicted[wrong].tolist(),
        wrong_confidence=results.probabilities[wrong, results.predicted[wrong]],
        first_kernel=kernel,
        example=example,
        feature_maps=maps,
        summary=summary_text(model),
        timings=timings(history, train_count, results, len(data.y_test)),
        settings=config,
    )
