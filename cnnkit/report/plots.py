"""The report's figures, each from plain arrays (no model, no training code): matplotlib's
object-oriented API with the Agg canvas, so nothing needs a display or touches pyplot's state."""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

TRAIN, VALIDATION = "#1f77b4", "#ff7f0e"


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _image_axes(axes, image: np.ndarray, title: str | None = None, fontsize: int = 8) -> None:
    """Show one (H, W, C) image in [0, 1]: grey for one channel, colour for three."""
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    axes.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")
    axes.set_axis_off()
    if title:
        axes.set_title(title, fontsize=fontsize)


def _grid(count: int, columns: int) -> tuple[int, int]:
    columns = max(1, min(columns, count))
    return math.ceil(count / columns), columns


def learning_curves(history: dict[str, list[float]]) -> Figure:
    """Loss and accuracy, training against validation, per epoch; the learning rate if logged."""
    rates = history.get("learning_rate", [])
    varies = len(set(rates)) > 1  # a constant rate is a flat line: said in the settings instead
    panels = [
        key for key in ("loss", "accuracy", "learning_rate") if key in history and (key != "learning_rate" or varies)
    ]
    figure = Figure(figsize=(4.2 * len(panels), 3.4), layout="constrained")
    epochs = np.arange(1, len(history[panels[0]]) + 1)
    for position, key in enumerate(panels, start=1):
        axes = figure.add_subplot(1, len(panels), position)
        label = "training" if key != "learning_rate" else "learning rate"
        axes.plot(epochs, history[key], marker="o", color=TRAIN, label=label)
        if f"val_{key}" in history:
            axes.plot(epochs, history[f"val_{key}"], marker="o", color=VALIDATION, label="validation")
        axes.set_title(key.replace("_", " "))
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
        if key == "learning_rate" and min(history[key]) > 0 and max(history[key]) / min(history[key]) > 20:
            axes.set_yscale("log")
        axes.legend(fontsize=8)
    return figure


def confusion_matrix(matrix: np.ndarray, class_names: list[str]) -> Figure:
    """Counts with rows as the true class; cell colour is the row's share, so rare classes show too."""
    size = max(4.0, 0.45 * len(class_names) + 2)
    figure = Figure(figsize=(size + 1, size), layout="constrained")
    axes = figure.add_subplot()
    shares = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    picture = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    figure.colorbar(picture, ax=axes, label="share of the true class")
    ticks = np.arange(len(class_names))
    axes.set_xticks(ticks, class_names, rotation=45, ha="right", fontsize=8)
    axes.set_yticks(ticks, class_names, fontsize=8)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    if len(class_names) <= 20:
        for (row, column), count in np.ndenumerate(matrix):
            colour = "white" if shares[row, column] > 0.5 else "black"
            axes.text(column, row, str(count), ha="center", va="center", fontsize=7, color=colour)
    return figure


def per_class(scores: list[dict], class_names: list[str]) -> Figure:
    """Precision and recall side by side for each class."""
    figure = Figure(figsize=(max(5.0, 0.6 * len(class_names) + 2), 3.6), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(class_names))
    axes.bar(positions - 0.2, [s["precision"] for s in scores], 0.4, label="precision", color=TRAIN)
    axes.bar(positions + 0.2, [s["recall"] for s in scores], 0.4, label="recall", color=VALIDATION)
    axes.set_xticks(positions, class_names, rotation=45, ha="right", fontsize=8)
    axes.set_ylim(0, 1.05)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    return figure


def misclassified(
    images: np.ndarray, true: list[str], predicted: list[str], confidence: np.ndarray, losses: np.ndarray | None = None
) -> Figure:
    """A grid of test images the model got wrong, each titled 'true -> predicted (probability)' and,
    when given, the image's loss (the grid then runs from the highest loss: fastai's top losses).
    Drawn on one axes (a grid of axes takes a second to draw; every run writes a report)."""
    rows, columns = _grid(max(len(images), 1), 6)
    figure = Figure(figsize=(1.9 * columns, 2.0 * rows), layout="constrained")
    axes = figure.add_subplot()
    axes.set_axis_off()
    if len(images) == 0:
        axes.text(0.5, 0.5, "no misclassified test images", ha="center", va="center")
        return figure
    pitch = 1.45  # rows: the image (height 1) and its three lines of title
    for position, image in enumerate(images):
        row, column = divmod(position, columns)
        left, top = column * 1.1, row * pitch + 0.45
        if image.ndim == 3 and image.shape[2] == 1:
            image = image[..., 0]
        grey = "gray" if image.ndim == 2 else None
        extent = (left, left + 1, top + 1, top)
        axes.imshow(image, cmap=grey, vmin=0, vmax=1, interpolation="nearest", extent=extent)
        title = f"{true[position]}\n-> {predicted[position]} ({confidence[position]:.0%})"
        if losses is not None:
            title += f"\nloss {losses[position]:.2f}"
        axes.text(left + 0.5, top - 0.03, title, ha="center", va="bottom", fontsize=7)
    axes.set_xlim(-0.05, columns * 1.1)
    axes.set_ylim(rows * pitch + 0.05, 0)
    axes.set_aspect("equal")
    return figure


def filters(kernel: np.ndarray, limit: int = 32) -> Figure:
    """The first convolution's filters. `kernel` is Keras's (kh, kw, in, out); each filter is shown
    in colour when it reads three channels, else as the mean over its inputs, scaled to its own range."""
    count = min(limit, kernel.shape[3])
    rows, columns = _grid(count, 8)
    figure = Figure(figsize=(1.1 * columns, 1.1 * rows + 0.3), layout="constrained")
    for position in range(count):
        weights = kernel[..., position]
        weights = weights if weights.shape[2] == 3 else weights.mean(2, keepdims=True)
        low, high = weights.min(), weights.max()
        _image_axes(figure.add_subplot(rows, columns, position + 1), (weights - low) / max(high - low, 1e-12))
    figure.suptitle(f"{count} of {kernel.shape[3]} filters, {kernel.shape[0]}x{kernel.shape[1]}", fontsize=9)
    return figure


def feature_maps(image: np.ndarray, maps: list[tuple[str, np.ndarray]], limit: int = 8) -> Figure:
    """The input image, then for each named layer its first `limit` output channels ((C, H, W) arrays)."""
    columns = limit + 1
    figure = Figure(figsize=(1.3 * columns, 1.45 * max(len(maps), 1)), layout="constrained")
    for row, (name, activations) in enumerate(maps):
        _image_axes(figure.add_subplot(len(maps), columns, row * columns + 1), image, "input" if row == 0 else None)
        for channel in range(min(limit, len(activations))):
            axes = figure.add_subplot(len(maps), columns, row * columns + channel + 2)
            axes.imshow(activations[channel], cmap="viridis", interpolation="nearest")
            axes.set_axis_off()
            if channel == 0:
                axes.set_title(f"{name} ({activations.shape[1]}x{activations.shape[2]})", fontsize=7, loc="left")
    return figure


def leaderboard(names: list[str], accuracy: list[float], seconds_per_epoch: list[float]) -> Figure:
    """`cnnkit compare`: test accuracy against time per epoch, one labelled point per model."""
    figure = Figure(figsize=(5.5, 4), layout="constrained")
    axes = figure.add_subplot()
    axes.scatter(seconds_per_epoch, accuracy, color=TRAIN)
    for name, x, y in zip(names, seconds_per_epoch, accuracy):
        axes.annotate(name, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
    axes.set_xlabel("seconds per epoch")
    axes.set_ylabel("test accuracy")
    axes.grid(alpha=0.3)
    return figure


def overlaid_curves(runs: dict[str, dict[str, list[float]]]) -> Figure:
    """`cnnkit compare RUN ...`: every run's validation (else training) loss and accuracy per
    epoch on shared axes, one colour per run."""
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    for position, key in enumerate(("loss", "accuracy"), start=1):
        axes = figure.add_subplot(1, 2, position)
        for name, history in runs.items():
            values = history.get(f"val_{key}") or history.get(key)
            if values:
                axes.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3, label=name)
        shown = "validation" if any(f"val_{key}" in h for h in runs.values()) else "training"
        axes.set_title(f"{shown} {key}")
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    return figure


def training_samples(images: np.ndarray, labels: list[str]) -> Figure:
    """A few training images of each class, a row per class (`labels` in class order): what the
    model learns from. One picture of all of them (a grid of axes would take seconds to draw)."""
    classes = list(dict.fromkeys(labels))
    rows = [images[[k for k, label in enumerate(labels) if label == name]] for name in classes]
    columns = max(len(row) for row in rows)
    height, width, channels = images.shape[1:]
    gap = max(1, height // 10)
    canvas = np.ones((len(rows) * (height + gap) - gap, columns * (width + gap) - gap, channels), np.float32)
    for r, row in enumerate(rows):
        for c, image in enumerate(row):
            canvas[r * (height + gap) : r * (height + gap) + height, c * (width + gap) : c * (width + gap) + width] = (
                image
            )
    figure = Figure(figsize=(0.9 * columns + 1.2, 0.9 * len(rows)), layout="constrained")
    axes = figure.add_subplot()
    axes.imshow(canvas[..., 0] if channels == 1 else canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes.set_xticks([])
    axes.set_yticks([r * (height + gap) + height / 2 for r in range(len(rows))], classes, fontsize=8)
    for side in axes.spines.values():
        side.set_visible(False)
    return figure


def class_balance(class_names: list[str], counts: dict[str, list[int]]) -> Figure:
    """Images per class in each split, side by side: an imbalance shows at a glance."""
    figure = Figure(figsize=(max(5.0, 0.6 * len(class_names) + 2), 3.2), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(class_names))
    width = 0.8 / max(len(counts), 1)
    colours = [TRAIN, VALIDATION, "#2ca02c"]
    for k, (split, values) in enumerate(counts.items()):
        axes.bar(positions + (k - (len(counts) - 1) / 2) * width, values, width, label=split, color=colours[k % 3])
    axes.set_xticks(positions, class_names, rotation=45, ha="right", fontsize=8)
    axes.set_ylabel("images")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=8)
    return figure


def epoch_times(seconds: list[float], images_per_second: list[float]) -> Figure:
    """Seconds per epoch and training images per second, per epoch (the first includes warm-up)."""
    figure = Figure(figsize=(8.4, 3.0), layout="constrained")
    epochs = np.arange(1, len(seconds) + 1)
    for position, (values, title) in enumerate(
        [(seconds, "seconds per epoch (with validation)"), (images_per_second, "training images per second")], start=1
    ):
        axes = figure.add_subplot(1, 2, position)
        axes.bar(epochs, values, color=TRAIN)
        axes.set_title(title, fontsize=9)
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", alpha=0.3)
    return figure
