"""Keras's utils.Progbar for hand-written loops: means weighted by steps, stateful values as given."""

import io

import pytest
import torch

from cnnkit.utils import Progbar


def finished_line(bar, capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_values_are_averaged_over_steps_and_stateful_ones_kept(capsys):
    bar = Progbar(4, verbose=2, stateful_metrics=["lr"])
    bar.update(1, [("loss", 4.0), ("lr", 0.1)])
    bar.update(3, [("loss", torch.tensor(1.0)), ("lr", 0.05)])  # covers 2 steps: weight 2
    assert capsys.readouterr().out == ""  # verbose=2: nothing until the end
    bar.add(1, [("loss", 2.0)])
    line = finished_line(bar, capsys)
    assert line.startswith("4/4") and "loss: 2.0000" in line and "lr: 0.0500" in line  # (4 + 2*1 + 2) / 4


def test_verbose_1_off_a_terminal_prints_the_finished_bar(capsys):
    bar = Progbar(3)
    for step in range(1, 4):
        bar.update(step, [("accuracy", step / 4)])
    line = finished_line(bar, capsys)
    assert line.startswith("3/3 [") and "accuracy: 0.5000" in line


def test_live_bar_redraws_in_place():
    stream = io.StringIO()
    stream.isatty = lambda: True
    bar = Progbar(2, interval=0)
    bar._bar.stream, bar._bar.live = stream, True
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 3.0)])
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("loss: 2.0000\n")


def test_unknown_target_finishes_when_told(capsys):
    bar = Progbar(None, verbose=2)
    bar.update(5, [("loss", 1.0)])
    bar.update(7, [("loss", 1.0)], finalize=True)
    assert finished_line(bar, capsys).startswith("7/Unknown")
    with pytest.raises(ValueError, match="target must be an int >= 0"):
        Progbar(-1)
