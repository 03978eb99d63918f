"""Keras's model summary table, with channels-last output shapes."""

from __future__ import annotations

from collections.abc import Callable

from cnnkit.layers.layout import format_shape


def _size(count: int) -> str:
    size = count * 4.0  # float32 bytes
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return ""


def print_summary(model, line_length: int | None = None, print_fn: Callable[[str], None] | None = None) -> None:
    """Rows are (name, kind, output shape, params) or, for a graph, also the tensors each layer reads."""
    raw = model.summary_rows()
    graph = any(len(row) == 5 for row in raw)
    rows, connections = [], []
    for name, kind, shape, params, *connected in raw:
        rows.append((f"{name} ({kind})", format_shape(shape) if shape is not None else "?", f"{params:,}"))
        connections.append(connected[0] if connected else [])
    width = max([line_length or 65] + [len(a) + len(b) + len(c) + 6 for a, b, c in rows])
    name_width = max(28, max((len(a) for a, _, _ in rows), default=0) + 2)
    shape_width = max(26, max((len(b) for _, b, _ in rows), default=0) + 2)
    width = max(width, name_width + shape_width + 12)
    params_width = max(12, max((len(c) for _, _, c in rows), default=0) + 2)
    if graph:
        width = max(width, name_width + shape_width + params_width + max(len(t) for ts in connections for t in ts))

    def line(a: str, b: str, c: str, d: str = "") -> str:
        text = f" {a:<{name_width - 1}}{b:<{shape_width}}{c}"
        return f"{text:<{name_width + shape_width + params_width}}{d}".rstrip() if graph else text

    body = []
    for (a, b, c), connected in zip(rows, connections):
        body.append(line(a, b, c, connected[0] if connected else ""))
        body.extend(line("", "", "", more) for more in connected[1:])

    trainable = sum(t.numel() for t in model.trainable_weights)
    total = model.count_params()
    text = [
        f'Model: "{model.name}"',
        "_" * width,
        line("Layer (type)", "Output Shape", "Param #", "Connected to"),
        "=" * width,
        *body,
        "=" * width,
        f"Total params: {total:,} ({_size(total)})",
        f"Trainable params: {trainable:,} ({_size(trainable)})",
        f"Non-trainable params: {total - trainable:,} ({_size(total - trainable)})",
        "_" * width,
    ]
    (print_fn or print)("\n".join(text))
