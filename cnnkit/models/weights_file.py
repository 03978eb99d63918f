"""cnnkit weights files: a model's tensors by name, written atomically, read without running code.

The file is a torch archive of plain tensors and strings, so `torch.load(..., weights_only=True)`
reads it: torch's restricted unpickler refuses anything that could execute code.
"""

from __future__ import annotations

import os
import warnings

import torch
from torch import nn

from cnnkit.utils.files import atomic_write

FORMAT = "cnnkit.weights"


def save_weights(model: nn.Module, path: str | os.PathLike) -> None:
    """Write every weight and moving statistic of `model` to `path` (atomically: all or nothing)."""
    path = os.fspath(path)
    payload = {
        "format": FORMAT,
        "version": 1,
        "model": getattr(model, "name", type(model).__name__),
        "state_dict": {key: value.detach().cpu() for key, value in model.state_dict().items()},
    }
    atomic_write(path, lambda stream: torch.save(payload, stream))


def read_weights(path: str | os.PathLike) -> object:
    """What the file holds, read safely; one-line errors for a missing or unreadable file."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"weights file {path!r} does not exist")
    try:
        with warnings.catch_warnings():  # torch's note on the pickle protocol of a plain pickle says nothing useful
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several kinds for a corrupt or unsafe file
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"weights file {path!r} is not a readable weights file ({reason[:200]})") from None


def is_cnnkit_weights(content: object) -> bool:
    return isinstance(content, dict) and content.get("format") == FORMAT


def readable_key(model: nn.Module, key: str) -> str:
    """`layers.13.kernel` as the user knows it: `predictions.kernel (layers.13.kernel)`."""
    path, _, weight = key.rpartition(".")
    names = []
    module = model
    for part in path.split(".") if path else []:
        module = getattr(module, part, None)
        if module is None:
            return key
        if not isinstance(module, (nn.ModuleList, nn.ModuleDict)) and hasattr(module, "name"):
            names.append(module.name)
    return f"{'/'.join(names + [weight])} ({key})" if names else key


def load_state(model: nn.Module, state: dict, source: str) -> None:
    """Copy `state` onto `model`, requiring exactly the model's keys and shapes."""
    own = model.state_dict()
    missing = [key for key in own if key not in state]
    unexpected = [key for key in state if key not in own]
    if missing or unexpected:
        details = []
        if missing:
            details.append(f"missing {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
        if unexpected:
            details.append(f"unexpected {', '.join(unexpected[:5])}{' ...' if len(unexpected) > 5 else ''}")
        raise ValueError(f"{source} does not fit model '{model.name}': {'; '.join(details)}")
    for key, value in state.items():
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != tuple(own[key].shape):
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(
                f"{source}: {readable_key(model, key)} has shape {shape}; model '{model.name}' needs "
                f"{tuple(own[key].shape)}"
            )
    model.load_state_dict(state)


def load_weights(model: nn.Module, path: str | os.PathLike) -> None:
    """Load a file written by `save_weights` (for a model with the same layers)."""
    content = read_weights(path)
    if not is_cnnkit_weights(content):
        raise ValueError(f"{os.fspath(path)!r} is not a cnnkit weights file (written by model.save_weights)")
    load_state(model, content["state_dict"], f"weights file {os.fspath(path)!r}")
