"""keras.utils.plot_model: a picture of a model's layers and how they connect.

    plot_model(model, to_file="model.png", show_shapes=True)

Keras draws with Graphviz (pydot and the `dot` program). cnnkit does too when Graphviz's `dot`
is installed (it writes the graph in dot's own language, so pydot is not needed); without it,
cnnkit draws the same boxes and arrows with matplotlib, which it already depends on, so it works
on any machine. There, layers are placed in rows by their depth from the input (a Sequential is
one column; a graph's branches sit side by side), top to bottom, or left to right with
rankdir="LR"; an arrow that would cross another box (a skip connection) is routed around the
boxes in a lane of its own. A model inside a model is one box.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from cnnkit.common.files import atomic_write
from cnnkit.common.layout import format_shape

FONT_SIZE = 9
CHAR_WIDTH = FONT_SIZE * 0.6 / 72  # inches per character of a monospace font
LINE_HEIGHT = FONT_SIZE * 1.45 / 72
GAP = 0.45  # inches between boxes


def _graph(model) -> tuple[list[dict], list[tuple[int, int]]]:
    """The boxes (name, kind, output shape, layer) in run order and the arrows between them."""
    rows = model.summary_rows()
    layers = {getattr(layer, "name", None): layer for layer in getattr(model, "layers", [])}
    nodes = [{"name": r[0], "kind": r[1], "shape": r[2], "layer": layers.get(r[0])} for r in rows]
    edges: list[tuple[int, int]] = []
    if any(len(row) == 5 for row in rows):  # a graph: each row names the tensors it reads
        index = {node["name"]: i for i, node in enumerate(nodes)}
        for target, row in enumerate(rows):
            for label in row[4]:
                source = label.split("[")[0]
                if source in index and (index[source], target) not in edges:
                    edges.append((index[source], target))
        return nodes, edges
    input_shape = getattr(model, "input_shape", None)
    if isinstance(input_shape, tuple):  # a Sequential: an input box, then one layer after another
        nodes.insert(0, {"name": "input", "kind": "InputLayer", "shape": input_shape, "layer": None})
    edges = [(i, i + 1) for i in range(len(nodes) - 1)]
    return nodes, edges


def _label(node: dict, parents: list[dict], options: dict) -> list[str]:
    lines = [f"{node['name']} ({node['kind']})" if options["show_layer_names"] else node["kind"]]
    layer = node["layer"]
    activation = getattr(layer, "activation_name", None)
    if options["show_layer_activations"] and activation not in (None, "linear"):
        lines.append(f"activation: {activation}")
    if options["show_shapes"]:
        inputs = [format_shape(p["shape"]) for p in parents if p["shape"] is not None]
        if inputs:
            lines.append(f"input: {', '.join(inputs)}")
        lines.append(f"output: {format_shape(node['shape']) if node['shape'] is not None else '?'}")
    if options["show_dtype"]:
        lines.append("dtype: float32")
    if options["show_trainable"] and layer is not None:
        lines.append(f"trainable: {'yes' if getattr(layer, 'trainable', True) else 'no'}")
    return lines


def plot_model(
    model,
    to_file: str = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
):
    """Draw `model` into `to_file` (PNG, SVG or PDF, by its extension; written atomically).
    Returns the picture as IPython's Image when IPython is there (a notebook shows it), as Keras
    does; otherwise None. `expand_nested` is accepted, but a model inside a model is one box."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR'; received rankdir={rankdir!r}")
    file_format = Path(to_file).suffix.lower().lstrip(".")
    if file_format not in ("png", "svg", "pdf"):
        raise ValueError(f"plot_model: to_file must end in .png, .svg or .pdf; received {str(to_file)!r}")

    options = {
        "show_shapes": show_shapes,
        "show_dtype": show_dtype,
        "show_layer_names": show_layer_names,
        "show_layer_activations": show_layer_activations,
        "show_trainable": show_trainable,
    }
    nodes, edges = _graph(model)
    parents = {i: [nodes[s] for s, t in edges if t == i] for i in range(len(nodes))}
    labels = [_label(node, parents[i], options) for i, node in enumerate(nodes)]
    Path(to_file).parent.mkdir(parents=True, exist_ok=True)
    if not _draw_with_graphviz(labels, edges, rankdir, file_format, dpi, to_file):
        figure = _figure(labels, edges, rankdir)
        atomic_write(to_file, lambda stream: figure.savefig(stream, format=file_format, dpi=dpi))
    try:
        from IPython.display import Image  # a notebook shows the picture, as with Keras
    except ImportError:
        return None
    return Image(filename=str(to_file)) if str(to_file).lower().endswith(".png") else None


def dot_source(labels: list[list[str]], edges: list[tuple[int, int]], rankdir: str) -> str:
    """The graph in Graphviz's language: one box per layer, an edge per connection."""
    quote = lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731
    lines = [
        "digraph model {",
        f"  rankdir={rankdir};",
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#4a6fa5", fontname="monospace",'
        f" fontsize={FONT_SIZE}];",
        '  edge [color="#4a6fa5", arrowsize=0.6];',
    ]
    lines += [f"  n{i} [label={quote(chr(10).join(text))}];" for i, text in enumerate(labels)]
    lines += [f"  n{source} -> n{target};" for source, target in edges]
    return "\n".join([*lines, "}"]) + "\n"


def _draw_with_graphviz(labels, edges, rankdir: str, file_format: str, dpi: int, to_file) -> bool:
    """Graphviz's dot lays the graph out and routes every edge around the boxes; False when it is
    not installed (or fails), and matplotlib draws instead."""
    dot = shutil.which("dot")
    if dot is None:
        return False
    command = [dot, f"-T{file_format}", f"-Gdpi={dpi}"]
    try:
        drawn = subprocess.run(
            command, input=dot_source(labels, edges, rankdir).encode(), capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return False
    if drawn.returncode != 0 or not drawn.stdout:
        return False
    atomic_write(to_file, lambda stream: stream.write(drawn.stdout))
    return True


def _crosses(start, end, boxes: list[tuple[float, float, float, float]]) -> bool:
    """Does the straight segment start-end pass through any of the boxes (x0, y0, x1, y1)?"""
    points = np.linspace(start, end, 64)[1:-1]
    return any(
        bool(np.any((points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)))
        for x0, y0, x1, y1 in boxes
    )


def layout(labels: list[list[str]], edges: list[tuple[int, int]], rankdir: str):
    """Box centres and sizes (inches), and each edge as a polyline: straight, or, when that would
    cross another box, out to a lane beside the boxes it passes and back."""
    depth = [0] * len(labels)
    for source, target in sorted(edges, key=lambda e: e[1]):  # run order: parents come first
        depth[target] = max(depth[target], depth[source] + 1)
    levels: dict[int, list[int]] = {}
    for i, d in enumerate(depth):
        levels.setdefault(d, []).append(i)
    sizes = [(max(len(line) for line in lines) * CHAR_WIDTH + 0.3, len(lines) * LINE_HEIGHT + 0.2) for lines in labels]

    # Each level is a row (TB) or a column (LR) of boxes, centred on the same axis.
    along, across = (1, 0) if rankdir == "TB" else (0, 1)
    level_extent = {d: max(sizes[i][along] for i in members) for d, members in levels.items()}
    level_span = {d: sum(sizes[i][across] for i in members) + GAP * (len(members) - 1) for d, members in levels.items()}
    centres: dict[int, tuple[float, float]] = {}
    position = 0.0
    for d in sorted(levels):
        offset = -level_span[d] / 2
        for i in levels[d]:
            middle = offset + sizes[i][across] / 2
            main = position + level_extent[d] / 2
            centres[i] = (middle, -main) if rankdir == "TB" else (main, -middle)
            offset += sizes[i][across] + GAP
        position += level_extent[d] + GAP
    box = lambda i: (  # noqa: E731
        centres[i][0] - sizes[i][0] / 2,
        centres[i][1] - sizes[i][1] / 2,
        centres[i][0] + sizes[i][0] / 2,
        centres[i][1] + sizes[i][1] / 2,
    )
    routes, lanes = [], 0
    for source, target in edges:
        (x0, y0), (x1, y1) = centres[source], centres[target]
        if rankdir == "TB":
            start, end = (x0, y0 - sizes[source][1] / 2), (x1, y1 + sizes[target][1] / 2)
        else:
            start, end = (x0 + sizes[source][0] / 2, y0), (x1 - sizes[target][0] / 2, y1)
        others = [box(i) for i in centres if i not in (source, target)]
        if not _crosses(start, end, others):
            routes.append([start, end])
            continue
        lanes += 1
        between = [box(i) for i in centres if depth[source] < depth[i] < depth[target]] + [box(source), box(target)]
        if rankdir == "TB":  # out of the source's right side, down a lane right of the boxes between, in
            lane = max(b[2] for b in between) + 0.15 * lanes
            routes.append([(box(source)[2], y0), (lane, y0), (lane, y1), (box(target)[2], y1)])
        else:  # out of the source's top, along a lane above the boxes between, down into the target
            lane = max(b[3] for b in between) + 0.15 * lanes
            routes.append([(x0, box(source)[3]), (x0, lane), (x1, lane), (x1, box(target)[3])])
    return centres, sizes, routes


def _figure(labels: list[list[str]], edges: list[tuple[int, int]], rankdir: str):
    from matplotlib.figure import Figure  # loaded only to draw
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    centres, sizes, routes = layout(labels, edges, rankdir)
    xs = [centres[i][0] + s * sizes[i][0] / 2 for i in centres for s in (-1, 1)] + [p[0] for r in routes for p in r]
    ys = [centres[i][1] + s * sizes[i][1] / 2 for i in centres for s in (-1, 1)] + [p[1] for r in routes for p in r]
    width, height = max(xs) - min(xs) + 0.4, max(ys) - min(ys) + 0.4
    figure = Figure(figsize=(width, height))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(min(xs) - 0.2, max(xs) + 0.2)
    axes.set_ylim(min(ys) - 0.2, max(ys) + 0.2)
    axes.axis("off")
    for i, lines in enumerate(labels):
        (x, y), (w, h) = centres[i], sizes[i]
        box = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02", fc="#eef3fb", ec="#4a6fa5")
        axes.add_patch(box)
        axes.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=FONT_SIZE, family="monospace")
    for route in routes:
        if len(route) > 2:
            axes.plot(*zip(*route[:-1]), color="#4a6fa5", linewidth=1)
        axes.add_patch(FancyArrowPatch(route[-2], route[-1], arrowstyle="-|>", mutation_scale=10, color="#4a6fa5"))
    return figure
