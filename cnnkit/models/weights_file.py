"""cnnkit weights files: a model's tensors by name, in safetensors, written atomically.

safetensors is a plain header plus raw bytes, so reading a weights file can never run code.
(Only torchvision's published `.pth` files, which are pickles, go through torch's restricted
`weights_only=True` loader; see `read_weights`.)
"""

from __future__ import annotations

import io
import os
import warnings

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save
from torch import nn

from cnnkit.common.files import atomic_write

FORMAT = "cnnkit.weights"


def first_names(model: nn.Module) -> dict[str, str]:
    """Each state_dict key -> the first key holding the same tensor. A layer reached by two paths
    (a nested model's layer that a loss added to the outer graph also reads) is one weight, saved
    once under its first name."""
    first: dict[int, str] = {}
    return {key: first.setdefault(id(value), key) for key, value in model.state_dict(keep_vars=True).items()}


def save_weights(model: nn.Module, path: str | os.PathLike) -> None:
    """Write every weight and moving statistic of `model` to `path` (atomically: all or nothing):
    Keras 3's weights file for a `.weights.h5` name, Keras 2's for another `.h5`, else cnnkit's."""
    name = os.fspath(path).lower()
    if name.endswith((".h5", ".hdf5")):
        from cnnkit.models.keras_files import files as keras_files

        buffer = io.BytesIO()
        keras_files.write_h5_weights(model, buffer, legacy=not name.endswith(".weights.h5"))
        atomic_write(path, lambda stream: stream.write(buffer.getvalue()))
        return
    names = first_names(model)
    state = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items() if names[key] == key}
    metadata = {"format": FORMAT, "model": str(getattr(model, "name", type(model).__name__))}
    atomic_write(path, lambda stream: stream.write(save(state, metadata=metadata)))


def _cnnkit_weights(path: str) -> dict[str, torch.Tensor] | None:
    """The tensors of a cnnkit (safetensors) weights file, or None if the file is not one."""
    try:
        with safe_open(path, framework="pt") as handle:
            if (handle.metadata() or {}).get("format") != FORMAT:
                return None
        return load_file(path)
    except (SafetensorError, OSError, ValueError):
        return None


def read_weights(path: str | os.PathLike) -> object:
    """What the file holds: {"format": FORMAT, "state_dict": ...} for a cnnkit weights file, else what
    torch's restricted loader reads (torchvision's state_dicts). One-line errors for bad files."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"weights file {path!r} does not exist")
    state = _cnnkit_weights(path)
    if state is not None:
        return {"format": FORMAT, "state_dict": state}
    if _looks_like_safetensors(path):
        raise ValueError(f"weights file {path!r} is a safetensors file that is cut short or corrupt")
    try:
        with warnings.catch_warnings():  # torch's note on the pickle protocol of a plain pickle says nothing useful
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several kinds for a corrupt or unsafe file
        # torch's own text may advise weights_only=False, which would run the file's code: never relayed
        if "Weights only load failed" in str(error):
            reason = "it holds Python objects besides tensors, which cnnkit never unpickles"
        else:
            reason = "it is none of cnnkit's safetensors, a Keras .h5/.keras file or a torch state_dict"
        raise ValueError(f"weights file {path!r} is not a readable weights file: {reason}") from None


def _looks_like_safetensors(path: str) -> bool:
    """safetensors files open with an 8-byte header length and then the JSON header's "{"."""
    with open(path, "rb") as handle:
        head = handle.read(9)
    return len(head) == 9 and head[8:9] == b"{" and 2 <= int.from_bytes(head[:8], "little") < 100 * 2**20


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
    state = dict(state)
    for key, first in first_names(model).items():  # the second names of a weight saved once
        if key not in state and first in state:
            state[key] = state[first]
    missing = [key for key in own if key not in state]
    unexpected = [key for key in state if key not in own]
    if missing or unexpected:
        details = []
        if missing:
            details.append(f"missing {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
        if unexpected:
            details.append(f"unexpected {', '.join(unexpected[:5])}{' ...' if len(unexpected) > 5 else ''}")
        raise ValueError(f"{source} does not fit model '{model.name}': {'; '.join(details)}")
    for key in own:  # in the model's order, so the first mismatch reported is the first layer's
        value = state[key]
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != tuple(own[key].shape):
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(
                f"{source}: {readable_key(model, key)} has shape {shape}; model '{model.name}' needs "
                f"{tuple(own[key].shape)}"
            )
    model.load_state_dict(state)


def load_weights(model: nn.Module, path: str | os.PathLike, by_name: bool = False) -> None:
    """Load a file written by `save_weights`, a Keras weights file, or the weights of a whole-model
    file (`.keras`, `.h5`, cnnkit's archive), for a model with the same layers."""
    from cnnkit.models.keras_files import files as keras_files

    path = os.fspath(path)
    if os.path.isfile(path):
        kind = keras_files.file_kind(path)
        if kind == "h5":
            keras_files.load_h5_weights(model, path, by_name=by_name)
            return
        if kind in ("keras", "cnnkit"):
            keras_files.load_archive_weights(model, path, kind)
            return
    if by_name:
        raise ValueError("load_weights: by_name=True applies to Keras's legacy .h5 weights files only")
    content = read_weights(path)
    if not is_cnnkit_weights(content):
        raise ValueError(f"{os.fspath(path)!r} is not a cnnkit weights file (written by model.save_weights)")
    load_state(model, content["state_dict"], f"weights file {os.fspath(path)!r}")
