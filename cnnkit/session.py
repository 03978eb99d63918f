"""Session-wide state: the default device, Keras-style unique layer names, image_data_format, and
the fixed answers of floatx and epsilon. cnnkit's own modules read these here; `cnnkit.backend`
(Keras's `keras.backend`) re-exports them with the functions programs call on tensors."""

from __future__ import annotations

import re
from collections import defaultdict

import torch

from cnnkit.common import keras_defaults
from cnnkit.common.layout import image_data_format, set_image_data_format  # noqa: F401  (Keras names them here)

_name_counts: defaultdict[str, int] = defaultdict(int)
_device: torch.device | None = None


def to_snake_case(name: str) -> str:
    """`LeakyReLU` -> `leaky_re_lu`, `Conv2D` -> `conv2d`, as Keras names layers."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """The first `conv2d` is `conv2d`, the next `conv2d_1`, and so on (Keras 3's scheme); under
    Keras 2's defaults `conv2d_1`, `conv2d_2`, ... (programs of its time name layers that way:
    class_activation_maps.py reads ResNet50's last ReLU as `activation_49`)."""
    count = _name_counts[base]
    _name_counts[base] += 1
    if keras_defaults.version() == 2:
        return f"{base}_{count + 1}"
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


def floatx() -> str:
    return "float32"


def epsilon() -> float:
    """Keras's fuzz factor, 1e-7 (what its losses clip probabilities by)."""
    return 1e-7


def backend() -> str:
    return "torch"
