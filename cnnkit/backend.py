"""Session-wide state: the default device and Keras-style unique layer names; and the answers of
`keras.backend` that tutorials ask (image_data_format, floatx, epsilon, backend, and Keras 2's
get_value / set_value / eval / int_shape)."""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
import torch

_name_counts: defaultdict[str, int] = defaultdict(int)
_device: torch.device | None = None


def to_snake_case(name: str) -> str:
    """`LeakyReLU` -> `leaky_re_lu`, `Conv2D` -> `conv2d`, as Keras names layers."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """The first `conv2d` is `conv2d`, the next `conv2d_1`, and so on (Keras's scheme)."""
    count = _name_counts[base]
    _name_counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Restart layer naming from scratch, as `keras.backend.clear_session()` does."""
    _name_counts.clear()


def set_device(device: str | torch.device | None) -> None:
    """Choose where models train and predict; None goes back to automatic (CUDA if present)."""
    global _device
    if device is None:
        _device = None
        return
    try:
        chosen = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"set_device: unknown device {device!r} ({error}).") from None
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"set_device: {device!r} requested but CUDA is not available here.")
    _device = chosen  # only a usable device replaces the current choice


def get_device() -> torch.device:
    """The chosen device, else CUDA when available, else the CPU."""
    if _device is not None:
        return _device
    from cnnkit import distributed  # under torchrun, each process has its own GPU

    return distributed.local_device() or torch.device("cuda" if torch.cuda.is_available() else "cpu")


def image_data_format() -> str:
    """How images are laid out at the API: always "channels_last" (N, H, W, C), as Keras's default.
    Inside, layers run NCHW; the conversion happens once where data enters."""
    return "channels_last"


def set_image_data_format(data_format: str) -> None:
    if data_format != "channels_last":
        raise ValueError(
            f"set_image_data_format: cnnkit takes images channels-last (N, H, W, C); received {data_format!r}"
        )


def floatx() -> str:
    return "float32"


def epsilon() -> float:
    """Keras's fuzz factor, 1e-7 (what its losses clip probabilities by)."""
    return 1e-7


def backend() -> str:
    return "torch"


def get_value(x):
    """A tensor's or a learning rate's value as NumPy or a Python number (Keras 2's K.get_value)."""
    if isinstance(x, torch.Tensor):
        value = x.detach().cpu().numpy()
        return value.item() if value.ndim == 0 else value
    if isinstance(x, (int, float)):
        return float(x)  # a learning rate too (a float that can also be assigned)
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


eval = get_value  # noqa: A001  (Keras 2's name)


def set_value(x, value) -> None:
    """Set a variable in place (Keras 2's K.set_value): `K.set_value(model.optimizer.lr, 1e-4)`, or
    a weight tensor to an array of its shape."""
    if hasattr(x, "assign"):
        x.assign(value)
        return
    if isinstance(x, torch.Tensor):
        with torch.no_grad():
            x.copy_(torch.as_tensor(value, dtype=x.dtype))
        return
    raise TypeError(
        f"set_value: {x!r} is a plain value and cannot be set in place; set the attribute it came from "
        "(e.g. model.optimizer.learning_rate = value)"
    )


def int_shape(x) -> tuple:
    """The shape as Keras reports it: channels-last for images, None where unknown."""
    from cnnkit.common.layout import api_shape

    if isinstance(x, torch.Tensor):
        return (x.shape[0], *api_shape(x)[1:]) if x.dim() else ()
    return tuple(x.shape)
