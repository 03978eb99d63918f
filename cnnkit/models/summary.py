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
    rows = [
        (f"{name} ({kind})", format_shape(shape) if shape is not None else "?", f"{params:,}")
        for name, kind, shape, params in model.summary_rows()
    ]
    width = max([line_length or 65] + [len(a) + len(b) + len(c) + 6 for a, b, c in rows])
    name_width = max(28, max((len(a) for a, _, _ in rows), default=0) + 2)
    shape_width = max(26, max((len(b) for _, b, _ in rows), default=0) + 2)
    width = max(width, name_width + shape_width + 12)

    def line(a: str, b: str, c: str) -> str:
        return f" {a:<{name_width - 1}}{b:<{shape_width}}{c}"

    trainable = sum(t.numel() for t in model.trainable_weights)
    total = model.count_params()
    text = [
        f'Model: "{model.name}"',
        "_" * width,
        line("Layer (type)", "Output Shape", "Param #"),
        "=" * width,
        *(line(a, b, c) for a, b, c in rows),
        "=" * width,
        f"Total params: {total:,} ({_size(total)})",
        f"Trainable params: {trainable:,} ({_size(trainable)})",
        f"Non-trainable params: {total - trainable:,} ({_size(total - trainable)})",
        "_" * width,
    ]
    (print_fn or print)("\n".join(text))
