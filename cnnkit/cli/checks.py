"""Checks of the command line's choices made before any data loads, each a one-line error with a
suggestion: a misspelt model or data set ("did you mean"), a device this machine lacks, a model
far too large for the images it is given."""

from __future__ import annotations

import difflib
import sys

import torch

from cnnkit.applications import list_models
from cnnkit.cli.errors import CommandError

# The data sets' image sizes, known before they load (folders are measured when read).
DATA_SHAPES = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1), "cifar10": (32, 32, 3), "digits": (8, 8, 1)}


def did_you_mean(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name.lower(), choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def check_model(name: str) -> None:
    names = list_models()
    if name not in names:
        raise CommandError(f"unknown model {name!r}; {did_you_mean(name, names)}`cnnkit models` lists them")


def check_data(name: str, known: list[str], folder_prefix: str) -> None:
    if name.startswith(folder_prefix) or name in known:
        return
    raise CommandError(
        f"unknown data set {name!r}; {did_you_mean(name, known)}known: {', '.join(known)}, {folder_prefix}PATH"
    )


def _no(what: str) -> CommandError:
    return CommandError(f"--device {what} (torch {torch.__version__}); this machine can use: {', '.join(usable())}")


def usable() -> list[str]:
    names = ["cpu"]
    if torch.cuda.is_available():
        names += ["cuda"] + [f"cuda:{k}" for k in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        names.append("mps")
    return names


def device_name(text: str | None) -> str | None:
    """--device as torch names it: `gpu` is `cuda`, a bare number `cuda:N`. An unknown name or a
    device this machine lacks is one line listing the ones it has."""
    if text is None:
        return None
    name = text.strip().lower()
    name = "cuda" if name == "gpu" else f"cuda:{name}" if name.isdigit() else name
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise CommandError(f"--device {text!r} is not a device; use cpu, cuda, cuda:N (or N, gpu) or mps") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise _no(f"{text}: no CUDA GPU here")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise _no(f"{text}: there are {torch.cuda.device_count()} CUDA GPUs, numbered from 0")
    elif device.type == "mps" and not torch.backends.mps.is_available():
        raise _no(f"{text}: no Apple GPU (MPS) here")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise CommandError(f"--device {text!r}: cnnkit's command line runs on cpu, cuda or mps")
    return name


def convolutions_on_one_pixel(model, shape: tuple[int, int, int]) -> int:
    """How many of the model's spatial (k > 1) convolutions receive a 1x1 feature map at `shape`,
    measured on torch's meta device (shapes only, no memory, no time)."""
    from cnnkit.layers import Conv2D

    found = []
    hook = lambda layer, inputs, output: found.append(inputs[0].shape[-2:] == (1, 1) and max(layer.kernel_size) > 1)  # noqa: E731
    hooks = [layer.register_forward_hook(hook) for layer in model.modules() if isinstance(layer, Conv2D)]
    try:
        model(torch.empty(1, shape[2], shape[0], shape[1], device="meta"))
    finally:
        for handle in hooks:
            handle.remove()
    return sum(found)


def warn_if_too_small(name: str, shape: tuple[int, int, int], classes: int) -> bool:
    """A network whose downsampling leaves its last convolutions a single pixel (ResNet50 on 8x8
    digits) trains for minutes to chance accuracy: say so before the time is spent."""
    from cnnkit.cli.zoo_commands import build

    if convolutions_on_one_pixel(build(name, shape, classes, device="meta"), shape) < 2:
        return False
    print(
        f"warning: at {shape[0]}x{shape[1]}, {name}'s downsampling leaves its last convolutions a 1x1 image to "
        f"look at: expect accuracy near chance. Enlarge the images (--image-size 32,32) or pick a network for "
        f"small images (fashion_cnn, resnet20; `cnnkit models`)",
        file=sys.stderr,
    )
    return True
