"""plot_model: the boxes and arrows it draws, and the files it writes."""

import pytest

import cnnkit as keras
from cnnkit import layers
from cnnkit.utils import plot_model
from cnnkit.utils.model_visualization import _graph


def branching_model():
    inputs = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, padding="same", name="stem")(inputs)
    left = layers.Conv2D(4, 1, name="left")(x)
    right = layers.MaxPooling2D(3, 1, padding="same", name="right")(x)
    joined = layers.concatenate([left, right], name="joined")
    return keras.Model(inputs, layers.Dense(2, name="head")(layers.Flatten(name="flat")(joined)))


def test_the_graph_it_draws():
    nodes, edges = _graph(branching_model())
    names = [node["name"] for node in nodes]
    assert names == ["image", "stem", "left", "right", "joined", "flat", "head"]
    named = {(names[a], names[b]) for a, b in edges}
    assert named == {
        ("image", "stem"),
        ("stem", "left"),
        ("stem", "right"),
        ("left", "joined"),
        ("right", "joined"),
        ("joined", "flat"),
        ("flat", "head"),
    }
    chain = keras.Sequential([layers.Input((4,)), layers.Dense(3, name="a"), layers.Dense(1, name="b")])
    nodes, edges = _graph(chain)
    assert [n["name"] for n in nodes] == ["input", "a", "b"] and edges == [(0, 1), (1, 2)]
    assert nodes[0]["shape"] == (None, 4) and nodes[2]["shape"] == (None, 1)


@pytest.mark.parametrize("suffix, magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_it_writes_the_file_format_of_the_name(tmp_path, suffix, magic):
    path = tmp_path / "plots" / f"model.{suffix}"
    plot_model(branching_model(), to_file=path, show_shapes=True, show_trainable=True, rankdir="LR", dpi=50)
    assert path.read_bytes().startswith(magic)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="plot_model: rankdir must be 'TB' or 'LR'"):
        plot_model(branching_model(), to_file=tmp_path / "m.png", rankdir="BT")
    with pytest.raises(ValueError, match="to_file must end in .png, .svg or .pdf"):
        plot_model(branching_model(), to_file=tmp_path / "m.dot")


def residual_model():
    inputs = keras.Input((8, 8, 4), name="image")
    x = layers.Conv2D(4, 3, padding="same", name="conv_a")(inputs)
    x = layers.BatchNormalization(name="bn_a")(x)
    x = layers.ReLU(name="relu_a")(x)
    x = layers.Conv2D(4, 3, padding="same", name="conv_b")(x)
    return keras.Model(inputs, layers.ReLU(name="out")(layers.Add(name="add")([inputs, x])))


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_a_skip_connection_is_routed_around_the_boxes_it_passes(rankdir):
    """Without Graphviz: the arrow from the input to `add` would run straight through the four
    boxes between them, hiding the residual link; it goes round them in a lane of its own."""
    from cnnkit.utils.model_visualization import _crosses, layout

    nodes, edges = _graph(residual_model())
    labels = [[node["name"]] for node in nodes]
    centres, sizes, routes = layout(labels, edges, rankdir)
    names = [node["name"] for node in nodes]
    boxes = {
        i: (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        for i, ((x, y), (w, h)) in enumerate(zip(centres.values(), sizes))
    }
    for (source, target), route in zip(edges, routes):
        others = [box for i, box in boxes.items() if i not in (source, target)]
        for start, end in zip(route, route[1:]):
            assert not _crosses(start, end, others), (names[source], names[target])
    skip = routes[edges.index((names.index("image"), names.index("add")))]
    assert len(skip) == 4  # out, along the lane, back in
    straight = routes[edges.index((names.index("conv_a"), names.index("bn_a")))]
    assert len(straight) == 2


def test_graphviz_draws_every_connection_when_installed(tmp_path, monkeypatch):
    """With Graphviz's dot (Debian's graphviz package) the layout is dot's; its SVG names every
    edge. Without it, matplotlib draws: the same call works either way."""
    import shutil

    from cnnkit.utils.model_visualization import dot_source

    nodes, edges = _graph(residual_model())
    source = dot_source([[node["name"]] for node in nodes], edges, "TB")
    assert all(f"n{a} -> n{b};" in source for a, b in edges) and 'label="add"' in source
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed: the matplotlib drawing is tested above")
    plot_model(residual_model(), to_file=str(tmp_path / "model.svg"))
    svg = (tmp_path / "model.svg").read_text()
    assert svg.count('class="edge"') == len(edges) and "<title>n0&#45;&gt;n5</title>" in svg
    monkeypatch.setattr(shutil, "which", lambda name: None)
    plot_model(residual_model(), to_file=str(tmp_path / "fallback.svg"))
    assert "matplotlib" in (tmp_path / "fallback.svg").read_text()[:2000]
