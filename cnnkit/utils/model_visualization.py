"""keras.utils.plot_model: a picture of a model's layers and how they connect.

    plot_model(model, to_file="model.png", show_shapes=True)

Keras draws with Graphviz (pydot and the `dot` program); cnnkit draws the same boxes and arrows
with matplotlib, which it already depends on, so it works on any machine. Layers are placed in
rows by their depth from the input (a Sequential is one column; a graph's branches sit side by
side), top to bottom, or left to right with rankdir="LR". A model inside a model is one box.
"""

from __future__ import annotations

from pathlib import Path

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
    from matplotlib.figure import Figure  # loaded only to draw
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

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
    depth = [0] * len(nodes)
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
    xs = [centres[i][0] + s * sizes[i][0] / 2 for i in centres for s in (-1, 1)]
    ys = [centres[i][1] + s * sizes[i][1] / 2 for i in centres for s in (-1, 1)]
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
    for source, target in edges:
        (x0, y0), (x1, y1) = centres[source], centres[target]
        if rankdir == "TB":
            start, end = (x0, y0 - sizes[source][1] / 2), (x1, y1 + sizes[target][1] / 2)
        else:
            start, end = (x0 + sizes[source][0] / 2, y0), (x1 - sizes[target][0] / 2, y1)
        axes.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color="#4a6fa5"))
    Path(to_file).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(to_file, lambda stream: figure.savefig(stream, format=file_format, dpi=dpi))
    try:
        from IPython.display import Image  # a notebook shows the picture, as with Keras
    except ImportError:
        return None
    return Image(filename=str(to_file)) if str(to_file).lower().endswith(".png") else None
