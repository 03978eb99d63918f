"""Keras's model summary table, with channels-last output shapes."""

from __future__ import annotations

from collections.abc import Callable

from cnnkit.common.layout import format_shape


def _size(count: int) -> str:
    size = count * 4.0  # float32 bytes
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return ""


def _trainable_flag(layer) -> str:
    """Keras's "Trainable" column: Y or N, "-" for a layer without weights."""
    if layer is None or not any(True for _ in layer.parameters()):
        return "-"
    return "Y" if getattr(layer, "trainable", True) else "N"


def print_summary(
    model,
    line_length: int | None = None,
    print_fn: Callable[[str], None] | None = None,
    show_trainable: bool = False,
) -> None:
    """Rows are (name, kind, output shape, params) or, for a graph, also the tensors each layer reads."""
    raw = model.summary_rows()
    graph = any(len(row) == 5 for row in raw)
    layers = {getattr(layer, "name", None): layer for layer in getattr(model, "layers", [])}
    rows, connections = [], []
    for name, kind, shape, params, *connected in raw:
        count = f"{params:,}"
        if show_trainable:
            count = f"{count:<12}{_trainable_flag(layers.get(name))}"
        rows.append((f"{name} ({kind})", format_shape(shape) if shape is not None else "?", count))
        connections.append(connected[0] if connected else [])
    params_header = f"{'Param #':<12}Trainable" if show_trainable else "Param #"
    width = max([line_length or 65] + [len(a) + len(b) + len(c) + 6 for a, b, c in [*rows, ("", "", params_header)]])
    name_width = max(28, max((len(a) for a, _, _ in rows), default=0) + 2)
    shape_width = max(26, max((len(b) for _, b, _ in rows), default=0) + 2)
    width = max(width, name_width + shape_width + max(12, len(params_header)))
    params_width = max(12, max((len(c) for _, _, c in [*rows, ("", "", params_header)]), default=0) + 2)
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
        line("Layer (type)", "Output Shape", params_header, "Connected to"),
        "=" * width,
        *body,
        "=" * width,
        f"Total params: {total:,} ({_size(total)})",
        f"Trainable params: {trainable:,} ({_size(trainable)})",
        f"Non-trainable params: {total - trainable:,} ({_size(total - trainable)})",
        "_" * width,
    ]
    (print_fn or print)("\n".join(text))
