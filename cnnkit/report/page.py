"""The run report: one self-contained HTML page (every plot embedded as a PNG data URI), and the
same plots as PNG files beside it. Built from a RunReport of plain values, so it needs no model."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnkit.common.files import atomic_write


@dataclass
class RunReport:
    title: str
    history: dict[str, list[float]]  # per-epoch columns of history.csv
    class_names: list[str]
    confusion: np.ndarray  # (classes, classes), rows = true class
    scores: list[dict]  # per class: precision, recall, f1, support
    headline: dict[str, str]  # the few numbers at the top: test accuracy, parameters, ...
    wrong_images: np.ndarray  # (k, H, W, C) in [0, 1], the highest loss first
    wrong_true: list[int]
    wrong_predicted: list[int]
    wrong_confidence: np.ndarray
    first_kernel: np.ndarray | None  # Keras layout (kh, kw, in, out) of the first convolution
    example: np.ndarray | None  # (H, W, C), the input behind feature_maps
    feature_maps: list[tuple[str, np.ndarray]] = field(default_factory=list)  # (layer path, (C, H, W))
    summary: str = ""
    timings: dict[str, str] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    best_epoch: int | None = None  # from 1: the epoch best.keras holds
    monitor: str = "val_accuracy"
    warning: str | None = None  # a red banner: the run did not learn
    wrong_losses: np.ndarray | None = None
    confused_pairs: list[dict] = field(default_factory=list)  # true, predicted, count, share
    averages: dict[str, dict] = field(default_factory=dict)  # macro and weighted averages
    samples: np.ndarray | None = None  # training images of each class
    sample_labels: list[str] = field(default_factory=list)
    class_counts: dict[str, list[int]] = field(default_factory=dict)  # split -> images per class
    environment: dict[str, str] = field(default_factory=dict)  # hardware, versions, host, commit
    model_graph: bytes | None = None  # plot_model's PNG
    images_per_epoch: int | None = None  # training images an epoch, for the throughput plot


# Shown in their own sections, not among the settings.
RECORD_KEYS = ("versions", "hardware", "git", "host", "started", "command_line", "class_names")


def _figures(report: RunReport) -> dict[str, object]:
    """File name -> figure, in page order; the plots whose inputs are missing are left out."""
    from cnnkit.report import plots  # matplotlib loads when a report is drawn, not with the CLI

    names = report.class_names
    figures = {}
    if report.history and any(key in report.history for key in ("loss", "accuracy")):
        figures["learning_curves.png"] = plots.learning_curves(report.history)
    figures["confusion_matrix.png"] = plots.confusion_matrix(report.confusion, names)
    figures["per_class.png"] = plots.per_class(report.scores, names)
    figures["top_losses.png"] = plots.misclassified(
        report.wrong_images,
        [names[k] for k in report.wrong_true],
        [names[k] for k in report.wrong_predicted],
        report.wrong_confidence,
        report.wrong_losses,
    )
    if report.samples is not None and len(report.samples):
        figures["training_samples.png"] = plots.training_samples(report.samples, report.sample_labels)
    if report.class_counts:
        figures["class_balance.png"] = plots.class_balance(names, report.class_counts)
    if report.first_kernel is not None:
        figures["filters.png"] = plots.filters(report.first_kernel)
    if report.example is not None and report.feature_maps:
        figures["feature_maps.png"] = plots.feature_maps(report.example, report.feature_maps)
    seconds = report.history.get("epoch_seconds")
    if seconds:
        figures["epoch_times.png"] = plots.epoch_times(seconds, [(report.images_per_epoch or 0) / s for s in seconds])
    return figures


def _template():
    import jinja2  # torch's own dependency, so always installed with cnnkit

    folder = Path(__file__).with_name("templates")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return environment.get_template("report.html")


SECTIONS = [
    ("curves", "curves"),
    ("confusion", "confusion"),
    ("per-class", "per class"),
    ("top-losses", "top losses"),
    ("data", "data"),
    ("filters", "filters"),
    ("model", "model"),
    ("time", "time"),
    ("environment", "hardware"),
    ("settings", "settings"),
]


def _page(report: RunReport, pngs: dict[str, bytes]) -> str:
    from markupsafe import Markup

    def image(name: str, alt: str):
        if name not in pngs:
            return ""
        data = base64.b64encode(pngs[name]).decode()
        return Markup('<img alt="{}" src="data:image/png;base64,{}">').format(alt, data)

    settings = [(key, json.dumps(value)) for key, value in report.settings.items() if key not in RECORD_KEYS]
    return _template().render(
        report=report,
        image=image,
        sections=SECTIONS,
        per_class=list(zip(report.class_names, report.scores)),
        settings=settings,
    )


def write_report(folder, report: RunReport) -> list[Path]:
    """Write report.html and one PNG per plot into `folder`; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    from cnnkit.report.plots import png_bytes

    pngs = {name: png_bytes(figure) for name, figure in _figures(report).items()}
    if report.model_graph:
        pngs["model.png"] = report.model_graph
    written = []
    for name, png in pngs.items():
        atomic_write(folder / name, lambda stream, png=png: stream.write(png))
        written.append(folder / name)
    page = _page(report, pngs).encode()
    atomic_write(folder / "report.html", lambda stream: stream.write(page))
    return [*written, folder / "report.html"]
