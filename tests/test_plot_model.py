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
