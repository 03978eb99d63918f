"""`cnnkit models` and `cnnkit summary`: the zoo as a table, and one model's Keras summary."""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

from cnnkit.applications import get_model, list_models
from cnnkit.cli.errors import CommandError

PAPERS = {  # registered name prefix -> (paper, year)
    "lenet5": ("LeCun et al., Gradient-based learning applied to document recognition", 1998),
    "alexnet": ("Krizhevsky et al., ImageNet classification with deep CNNs", 2012),
    "vgg": ("Simonyan & Zisserman, Very deep convolutional networks", 2014),
    "googlenet": ("Szegedy et al., Going deeper with convolutions", 2014),
    "resnet": ("He et al., Deep residual learning for image recognition", 2015),
    "fashion_cnn": ("cnnkit's Fashion-MNIST tutorial network", 2017),
    "lstm": ("Hochreiter & Schmidhuber, Long short-term memory", 1997),
}


def paper_of(name: str) -> tuple[str, int]:
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


def build(name: str, input_shape, classes: int | None, device: str | None = None):
    if name not in list_models():
        raise CommandError(f"unknown model {name!r}; `cnnkit models` lists them: {', '.join(list_models())}")
    try:
        if device is None:
            return get_model(name, input_shape=input_shape, classes=classes)
        with torch.device(device):
            return get_model(name, input_shape=input_shape, classes=classes)
    except ValueError as error:  # e.g. an input too small for the architecture
        raise CommandError(f"{name} cannot take input shape {input_shape}: {error}") from None


def models_table(input_shape) -> str:
    rows = ["| model | paper | year | input | parameters | forward multiply-adds |", "|---|---|---|---|---|---|"]
    for name in list_models():
        model = build(name, input_shape, None, device="meta")  # shapes only: fast, no memory
        shape = model.input_shape[1:]
        with FlopCounterMode(display=False) as counter:
            model(torch.empty(1, shape[2], shape[0], shape[1], device="meta"))
        paper, year = paper_of(name)
        parameters = sum(p.numel() for p in model.parameters())
        size = "x".join(map(str, shape))
        rows.append(
            f"| {name} | {paper} | {year} | {size} | {parameters:,} | {counter.get_total_flops() / 2e6:,.1f}M |"
        )
    return "\n".join(rows)
