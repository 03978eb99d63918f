"""`cnnkit models` and `cnnkit summary`: the zoo as a table, and one model's Keras summary."""

from __future__ import annotations

import contextlib
import json

import torch
from torch.utils.flop_counter import FlopCounterMode

from cnnkit.applications import get_model, imagenet_weights, list_models
from cnnkit.applications.weights import load_weights_file
from cnnkit.cli.checks import check_model
from cnnkit.cli.errors import CommandError
from cnnkit_command import zoo_table_path
from cnnkit_command.zoo_table import format_table

PAPERS = {  # registered name prefix -> (authors, year, title)
    "lenet5": ("LeCun et al.", 1998, "Gradient-based learning applied to document recognition"),
    "alexnet": ("Krizhevsky et al.", 2012, "ImageNet classification with deep convolutional neural networks"),
    "vgg": ("Simonyan & Zisserman", 2014, "Very deep convolutional networks for large-scale image recognition"),
    "googlenet": ("Szegedy et al.", 2014, "Going deeper with convolutions"),
    "resnet": ("He et al.", 2015, "Deep residual learning for image recognition"),
    "fashion_cnn": ("cnnkit", 2017, "the Fashion-MNIST tutorial network of cnnkit's examples"),
    "lstm": ("Hochreiter & Schmidhuber", 1997, "Long short-term memory"),
}


def paper_of(name: str) -> tuple[str, int, str]:
    return next(value for prefix, value in PAPERS.items() if name.startswith(prefix))


def parse_shape(text: str | None) -> tuple[int, int, int] | None:
    if text is None:
        return None
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 3 or min(shape) <= 0:
        raise CommandError(f"--input-shape must be height,width,channels such as 28,28,1; received {text!r}")
    return shape


def build(name: str, input_shape, classes: int | None, device: str | None = None, weights=None):
    """A zoo model; `weights` "imagenet" (ImageNet's 1000-class head then replaced by one for
    `classes`) or a weights file of the same network."""
    check_model(name)
    imagenet = weights == "imagenet"
    try:
        with torch.device(device) if device else contextlib.nullcontext():
            model = get_model(name, input_shape=input_shape, classes=None if imagenet else classes)
    except ValueError as error:  # e.g. an input too small for the architecture
        raise CommandError(f"{name} cannot take input shape {input_shape}: {error}") from None
    if weights:
        try:
            load_weights_file(model, imagenet_weights.imagenet_file(name) if imagenet else weights)
        except (ValueError, OSError) as error:
            raise CommandError(f"--weights {weights}: {_first_line(error)}") from None
        if imagenet and classes not in (None, 1000):
            model.replace_classifier(classes)
    return model


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def zoo_row(name: str, input_shape) -> dict:
    """One model's row of `cnnkit models`: its paper, input, parameters and multiply-adds."""
    model = build(name, input_shape, None, device="meta")  # shapes only: fast, no memory
    shape = list(model.input_shape[1:])
    with FlopCounterMode(display=False) as counter:
        model(torch.empty(1, shape[2], shape[0], shape[1], device="meta"))
    authors, year, title = paper_of(name)
    parameters = sum(p.numel() for p in model.parameters())
    return {
        "model": name,
        "paper": authors,
        "year": year,
        "title": title,
        "input": shape,
        "parameters": parameters,
        "multiply_adds": counter.get_total_flops() // 2,
    }


def models_table(input_shape, markdown: bool = False) -> str:
    """The zoo at `input_shape`, or at each model's own size (None: cnnkit/cli/zoo_table.json,
    which scripts/zoo_table.py writes and the tests compare with this computation)."""
    if input_shape is None:
        rows = json.loads(zoo_table_path().read_text())
    else:
        rows = [zoo_row(name, input_shape) for name in list_models()]
    return format_table(rows, markdown)
