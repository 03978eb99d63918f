"""The run report: one self-contained HTML page (every plot embedded as a PNG data URI), and the
same plots as PNG files beside it. Built from a RunReport of plain values, so it needs no model."""

from __future__ import annotations

import base64
import html
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
    wrong_images: np.ndarray  # (k, H, W, C) in [0, 1]
    wrong_true: list[int]
    wrong_predicted: list[int]
    wrong_confidence: np.ndarray
    first_kernel: np.ndarray | None  # Keras layout (kh, kw, in, out) of the first convolution
    example: np.ndarray | None  # (H, W, C), the input behind feature_maps
    feature_maps: list[tuple[str, np.ndarray]] = field(default_factory=list)  # (layer name, (C, H, W))
    summary: str = ""
    timings: dict[str, str] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)


def _figures(report: RunReport) -> dict[str, object]:
    """File name -> figure, in page order; the plots whose inputs are missing are left out."""
    from cnnkit.report import plots  # matplotlib loads when a report is drawn, not with the CLI

    names = report.class_names
    figures = {}
    if report.history:
        figures["learning_curves.png"] = plots.learning_curves(report.history)
    figures["confusion_matrix.png"] = plots.confusion_matrix(report.confusion, names)
    figures["per_class.png"] = plots.per_class(report.scores, names)
    figures["misclassified.png"] = plots.misclassified(
        report.wrong_images,
        [names[k] for k in report.wrong_true],
        [names[k] for k in report.wrong_predicted],
        report.wrong_confidence,
    )
    if report.first_kernel is not None:
        figures["filters.png"] = plots.filters(report.first_kernel)
    if report.example is not None and report.feature_maps:
        figures["feature_maps.png"] = plots.feature_maps(report.example, report.feature_maps)
    return figures


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.8em; }
.headline { display: flex; flex-wrap: wrap; gap: 1em; margin: 1em 0; }
.headline div { background: #f3f6fa; border-radius: 6px; padding: 0.6em 1em; }
.headline b { display: block; font-size: 1.5em; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { padding: 0.25em 0.8em; text-align: right; }
th { background: #f3f6fa; } td:first-child, th:first-child { text-align: left; }
tr:nth-child(even) td { background: #fafafa; }
img { max-width: 100%; } pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 0.8em; }
"""


def _image(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _table(header: list[str], rows: list[list[str]]) -> str:
    cells = lambda row, tag: "".join(f"<{tag}>{html.escape(str(c))}</{tag}>" for c in row)  # noqa: E731
    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    return f"<table><tr>{cells(header, 'th')}</tr>{body}</table>"


def _section(title: str, *parts: str) -> str:
    return f"<h2>{html.escape(title)}</h2>\n" + "\n".join(parts)


def _page(report: RunReport, pngs: dict[str, bytes]) -> str:
    figure = lambda name, alt: _image(pngs[name], alt) if name in pngs else ""  # noqa: E731
    headline = "".join(
        f"<div>{html.escape(label)}<b>{html.escape(value)}</b></div>" for label, value in report.headline.items()
    )
    per_class_rows = [
        [name, f"{s['precision']:.4f}", f"{s['recall']:.4f}", f"{s['f1']:.4f}", s["support"]]
        for name, s in zip(report.class_names, report.scores)
    ]
    settings_rows = [[key, json.dumps(value)] for key, value in report.settings.items()]
    sections = [
        f"<h1>{html.escape(report.title)}</h1>",
        f'<div class="headline">{headline}</div>',
        _section("Learning curves", figure("learning_curves.png", "learning curves")),
        _section("Confusion matrix", figure("confusion_matrix.png", "confusion matrix")),
        _section(
            "Per-class precision and recall",
            figure("per_class.png", "per-class precision and recall"),
            _table(["class", "precision", "recall", "F1", "support"], per_class_rows),
        ),
        _section(
            f"Misclassified test images ({len(report.wrong_images)} shown)",
            figure("misclassified.png", "misclassified test images"),
        ),
        _section(
            "What the first layers see",
            figure("filters.png", "first convolution's filters"),
            figure("feature_maps.png", "feature maps for one test image"),
        ),
        _section("Model", f"<pre>{html.escape(report.summary)}</pre>"),
        _section("Timings", _table(["what", "value"], [[k, v] for k, v in report.timings.items()])),
        _section("Settings", _table(["setting", "value"], settings_rows)),
    ]
    body = "\n".join(sections)
    title = html.escape(report.title)
    return f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>' + (
        f"<style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def write_report(folder, report: RunReport) -> list[Path]:
    """Write report.html and one PNG per plot into `folder`; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    from cnnkit.report.plots import png_bytes

    pngs = {name: png_bytes(figure) for name, figure in _figures(report).items()}
    written = []
    for name, png in pngs.items():
        atomic_write(folder / name, lambda stream, png=png: stream.write(png))
        written.append(folder / name)
    page = _page(report, pngs).encode()
    atomic_write(folder / "report.html", lambda stream: stream.write(page))
    return [*written, folder / "report.html"]
