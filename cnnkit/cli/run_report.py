"""What a finished run hands the report: its history, test results, filters and feature maps.

Here the model is looked into (the first convolutions, one example's activations); cnnkit.report
then draws plain arrays.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import numpy as np
import torch

from cnnkit.cli.data import ImageData
from cnnkit.cli.on_disk import OnDisk
from cnnkit.cli.scoring import TestResults, averages, most_confused
from cnnkit.datasets.image_folder import read_image
from cnnkit.layers import Conv2D
from cnnkit.report import RunReport
from cnnkit.utils.model_visualization import plot_model

WRONG_SHOWN = 24
GRAPH_LIMIT = 80  # boxes; a larger model's graph is a wall no one reads (the summary lists it)


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
    """Each convolution's output (C, H, W) for one image, caught by forward hooks during predict.
    Layers are told apart by position and labelled by their path in the model: inside a ResNet
    the stem's conv and a block's conv may both be named `conv1`."""
    caught: dict[int, np.ndarray] = {}

    def catch(position):
        def hook(module, inputs, output) -> None:  # returns None: a hook's return value would replace the output
            caught.setdefault(position, output[0].detach().float().cpu().numpy())

        return hook

    hooks = [layer.register_forward_hook(catch(k)) for k, layer in enumerate(convolutions)]
    try:
        model.predict(image[None], verbose=0)
    finally:
        for hook in hooks:
            hook.remove()
    paths = layer_paths(model)
    return [(paths.get(id(layer), layer.name), caught[k]) for k, layer in enumerate(convolutions) if k in caught]


def layer_paths(model, prefix: str = "") -> dict[int, str]:
    """id(layer) -> its path of layer names inside `model`, e.g. "layer1_0/conv1" (containers
    without a name of their own, such as a model's list of layers, add nothing to the path)."""
    paths = {}
    for child in model.children():
        name = getattr(child, "name", None)
        path = f"{prefix}/{name}" if prefix and name else name or prefix
        if name:
            paths[id(child)] = path
        paths.update(layer_paths(child, path or ""))
    return paths


def summary_text(model) -> str:
    lines = io.StringIO()
    model.summary(print_fn=lambda text: lines.write(text + "\n"))
    return lines.getvalue()


def duration(seconds: float) -> str:
    """12.3 s, 4 min 05 s, 2 h 03 min."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min {int(seconds % 60):02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def steady_epoch_seconds(epoch_seconds: list[float]) -> float | None:
    """Seconds per epoch once warmed up: the first epoch (allocations, caches, lazy set-up) is left
    out when there are others, so runs of different lengths compare fairly."""
    steady = epoch_seconds[1:] or epoch_seconds
    return float(np.mean(steady)) if steady else None


def timings(history: dict, train_count: int, results: TestResults, test_count: int) -> dict[str, str]:
    epoch_seconds = history.get("epoch_seconds", [])
    rows = {}
    if epoch_seconds:
        steady = steady_epoch_seconds(epoch_seconds)
        rows["training, all epochs"] = duration(sum(epoch_seconds))
        if len(epoch_seconds) > 1:
            rows["first epoch (with warm-up)"] = duration(epoch_seconds[0])
            rows["per epoch after the first"] = duration(steady)
        else:
            rows["per epoch (with validation)"] = duration(steady)
        rows["training images per second"] = f"{train_count / steady:,.0f}"
    rows["test predictions"] = f"{duration(results.seconds)} for {test_count:,} images"
    rows["test images per second"] = f"{test_count / max(results.seconds, 1e-9):,.0f}"
    return rows


def best_epoch(history: dict) -> tuple[str, int | None]:
    """The monitored metric and the epoch (from 0) that best.keras holds: the first with the best
    validation accuracy (training accuracy for a run without validation), as ModelCheckpoint chose."""
    monitor = "val_accuracy" if "val_accuracy" in history else "accuracy"
    values = history.get(monitor)
    return monitor, int(np.argmax(values)) if values else None


def degenerate(results: TestResults, labels: np.ndarray, class_names: list[str]) -> str | None:
    """A run that did not learn, said plainly: nearly every test image given one class, or an
    accuracy no better than always answering the most common class."""
    if len(labels) == 0 or len(class_names) < 2:
        return None
    counts = np.bincount(results.predicted, minlength=len(class_names))
    top = int(counts.argmax())
    share = counts[top] / len(labels)
    baseline = np.bincount(labels, minlength=len(class_names)).max() / len(labels)
    if share < 0.9 and results.accuracy > baseline + 0.02:
        return None
    return (
        f"This run did not learn: {share:.0%} of the test images are predicted as '{class_names[top]}', and its "
        f"test accuracy of {results.accuracy:.1%} is no better than always answering the most common class "
        f"({baseline:.1%}). Try a lower learning rate, more epochs, or a network suited to the image size; "
        f"check that the labels match the images."
    )


def training_samples(data: ImageData, per_class: int = 6, classes: int = 20) -> tuple[np.ndarray, list[str]]:
    """The first few training images of each of the first `classes` classes (read from disk for a
    streamed folder)."""
    shown = range(min(classes, len(data.class_names)))
    chosen = [k for label in shown for k in np.flatnonzero(data.y_train == label)[:per_class]]
    if isinstance(data.x_train, OnDisk):
        shape = data.x_train.image_shape
        images = np.stack([read_image(data.x_train.files[k][0], *shape) for k in chosen]).astype(np.float32) / 255
    else:
        images = data.x_train[chosen]
    return images, [data.class_names[data.y_train[k]] for k in chosen]


def class_counts(data: ImageData, val_split: float) -> dict[str, list[int]]:
    classes = len(data.class_names)
    count = lambda labels: np.bincount(labels, minlength=classes).tolist()  # noqa: E731
    if data.x_val is not None:
        return {"training": count(data.y_train), "validation": count(data.y_val), "test": count(data.y_test)}
    train, _ = data.split_counts(val_split)
    if isinstance(data.x_train, OnDisk):  # its validation files are drawn in a shuffle: counted together
        return {"training and validation": count(data.y_train), "test": count(data.y_test)}
    counts = {"training": count(data.y_train[:train])}
    if train < len(data.y_train):  # Keras's validation_split: the last part of the training arrays
        counts["validation"] = count(data.y_train[train:])
    return {**counts, "test": count(data.y_test)}


def model_graph(model) -> bytes | None:
    """plot_model's picture of the model, or None when it has too many boxes to read."""
    if len(model.summary_rows()) > GRAPH_LIMIT:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.png"
        plot_model(model, to_file=str(path), show_shapes=True, dpi=80)
        return path.read_bytes()


def environment(config: dict) -> dict[str, str]:
    found = {**config.get("hardware", {}), **config.get("versions", {})}
    for key in ("host", "started", "command_line"):
        if config.get(key):
            found[key] = config[key]
    if config.get("git"):
        git = config["git"]
        found["git commit"] = git["commit"] + (" (with uncommitted changes)" if git["uncommitted_changes"] else "")
    return {key: str(value) for key, value in found.items()}


def build_report(title: str, model, data: ImageData, results: TestResults, history: dict, config: dict) -> RunReport:
    wrong = np.flatnonzero(results.predicted != data.y_test)
    wrong = wrong[np.argsort(-results.losses[wrong], kind="stable")][:WRONG_SHOWN]  # top losses first
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
    monitor, best = best_epoch(history)
    if best is not None:
        headline["best epoch"] = f"{best + 1} of {len(history[monitor])}"
    samples, sample_labels = training_samples(data)
    return RunReport(
        best_epoch=None if best is None else best + 1,
        monitor=monitor,
        warning=degenerate(results, data.y_test, data.class_names),
        wrong_losses=results.losses[wrong],
        confused_pairs=most_confused(results.confusion, data.class_names),
        averages=averages(results.scores),
        samples=samples,
        sample_labels=sample_labels,
        class_counts=class_counts(data, config.get("val_split", 0.0)),
        environment=environment(config),
        model_graph=model_graph(model),
        images_per_epoch=train_count,
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
