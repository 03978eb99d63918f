"""Loading weights into zoo models: cnnkit weights files, Keras weights files and torchvision's
published state_dicts.

torchvision names a tensor by its module path and torch's parameter name
(`layer1.0.bn1.running_var`); a zoo model records which of its layers sits at each path
(`torchvision_names`), and this module translates the parameter names. Every file is read with
`torch.load(..., weights_only=True)`, so loading never runs code from it.
"""

from __future__ import annotations

import math
import os

import torch

from cnnkit.layers import BatchNormalization, Conv2D, Dense
from cnnkit.models.weights_file import is_cnnkit_weights, load_state, read_weights

# torch's parameter name -> the cnnkit weight holding it, per layer type.
_PARAMETERS = {
    Conv2D: {"weight": "kernel", "bias": "bias"},
    Dense: {"weight": "kernel", "bias": "bias"},
    BatchNormalization: {
        "weight": "gamma",
        "bias": "beta",
        "running_mean": "moving_mean",
        "running_var": "moving_variance",
    },
}

_IMAGENET_HINT = (
    "torchvision's weights fit the ImageNet layout: input_shape=(224, 224, 3), small_input=False, classes=1000 "
    "(or include_top=False to load only the backbone)"
)


def load_weights_file(model, path: str | os.PathLike) -> None:
    """Load a cnnkit weights file, a Keras weights file (Keras Applications' `.h5`: by layer name
    where the names are Keras's, as VGG16's), or a torchvision state_dict for the same architecture."""
    from cnnkit.models.keras_files import files as keras_files

    source = f"weights file {os.fspath(path)!r}"
    if os.path.isfile(path) and keras_files.is_hdf5(path):
        keras_files.load_h5_weights(model, os.fspath(path))
        return
    content = read_weights(path)
    if is_cnnkit_weights(content):
        load_state(model, content["state_dict"], source)
        return
    if isinstance(content, dict) and isinstance(content.get("state_dict"), dict):
        content = content["state_dict"]  # some published checkpoints wrap the state_dict
    if not isinstance(content, dict) or not all(isinstance(v, torch.Tensor) for v in content.values()):
        raise ValueError(f"{source} holds neither cnnkit weights nor a state_dict of tensors")
    load_torchvision_state_dict(model, content, source)


def _expected(layer) -> list[str]:
    names = _PARAMETERS[type(layer)]
    return [torch_name for torch_name, ours in names.items() if getattr(layer, ours, None) is not None]


def load_torchvision_state_dict(model, state: dict[str, torch.Tensor], source: str = "state_dict") -> None:
    """Copy a torchvision state_dict onto `model` through its `torchvision_names`."""
    names = getattr(model, "torchvision_names", None)
    if not names:
        raise ValueError(f"{source}: model '{model.name}' has no torchvision counterpart to load weights from")
    loaded, unexpected = set(), []
    with torch.no_grad():
        for key, value in state.items():
            path, _, parameter = key.rpartition(".")
            if parameter == "num_batches_tracked":
                continue
            entry = names.get(path)
            if entry is None or parameter not in _PARAMETERS[type(entry[0])]:
                if not path.startswith(model.torchvision_optional):  # a head this model lacks is fine
                    unexpected.append(key)
                continue
            layer, flattened_from = entry
            target = getattr(layer, _PARAMETERS[type(layer)][parameter])
            value = _to_cnnkit_layout(value.to(torch.float32), target, flattened_from, parameter)
            if tuple(value.shape) != tuple(target.shape):
                raise ValueError(
                    f"{source}: {key} has shape {tuple(value.shape)} but layer '{layer.name}' of "
                    f"'{model.name}' needs {tuple(target.shape)}; {_IMAGENET_HINT}"
                )
            target.copy_(value)
            loaded.add(f"{path}.{parameter}")
    if unexpected:
        raise ValueError(
            f"{source} is not a torchvision state_dict for '{model.name}': unexpected keys "
            f"{', '.join(unexpected[:5])}{' ...' if len(unexpected) > 5 else ''}"
        )
    missing = [f"{p}.{n}" for p, (layer, _) in names.items() for n in _expected(layer) if f"{p}.{n}" not in loaded]
    if missing:
        raise ValueError(
            f"{source} lacks weights that '{model.name}' needs: {', '.join(missing[:5])}"
            f"{' ...' if len(missing) > 5 else ''}"
        )


def _to_cnnkit_layout(value: torch.Tensor, target: torch.Tensor, flattened_from, parameter: str) -> torch.Tensor:
    """Reorder where torch and cnnkit lay a weight out differently."""
    if parameter != "weight":
        return value
    if flattened_from is not None and value.dim() == 2 and value.shape[1] == math.prod(flattened_from):
        # torch flattens a feature map as (C, H, W), Keras as (H, W, C): reorder the Dense inputs.
        return value.reshape(value.shape[0], *flattened_from).permute(0, 2, 3, 1).reshape(value.shape[0], -1)
    if value.dim() == 4 and target.dim() == 4 and value.shape[1] == 3 and target.shape[1] == 1:
        # RGB weights for a grey-scale model: a grey pixel is the same value on all three channels.
        return value.sum(dim=1, keepdim=True)
    return value
