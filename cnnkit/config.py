"""Keras 3's `keras.config`: the session's settings. cnnkit computes in float32 with images
channels-last at the API and epsilon 1e-7, so the setters accept those values and refuse others
with one line; the rest act: the caps on epochs and steps (as `cnnkit run --max-epochs` sets them),
the mixed precision policy, interactive logging (the progress bars), and, cnnkit's own,
`set_keras_defaults(2)` for Keras 2.3's defaults where they differ from Keras 3's."""

from __future__ import annotations

from cnnkit import mixed_precision
from cnnkit.common import keras_defaults
from cnnkit.session import backend, epsilon, floatx, image_data_format, set_image_data_format
from cnnkit.training import progress, smoke_caps

__all__ = [
    "backend",
    "disable_interactive_logging",
    "dtype_policy",
    "enable_interactive_logging",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "image_data_format",
    "is_interactive_logging_enabled",
    "keras_defaults_version",
    "max_epochs",
    "max_steps_per_epoch",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_keras_defaults",
    "set_max_epochs",
    "set_max_steps_per_epoch",
]


def set_floatx(value: str) -> None:
    if value != "float32":
        raise ValueError(
            f"set_floatx: cnnkit keeps weights in float32; received {value!r} (for float16/bfloat16 compute, "
            "use keras.config.set_dtype_policy('mixed_float16'))"
        )


def set_epsilon(value: float) -> None:
    if value != epsilon():
        raise ValueError(f"set_epsilon: cnnkit's losses use Keras's default epsilon 1e-7; received {value!r}")


def dtype_policy():
    return mixed_precision.global_policy()


def set_dtype_policy(policy) -> None:
    mixed_precision.set_global_policy(policy)


def max_epochs() -> int | None:
    return smoke_caps.max_epochs


def set_max_epochs(value: int | None) -> None:
    """Cap every fit at `value` epochs (None: no cap), as `cnnkit run --max-epochs` does."""
    smoke_caps.max_epochs = value


def max_steps_per_epoch() -> int | None:
    return smoke_caps.max_steps


def set_max_steps_per_epoch(value: int | None) -> None:
    """Cap every epoch of fit (and every evaluate) at `value` batches (None: no cap)."""
    smoke_caps.max_steps = value


def enable_unsafe_deserialization() -> None:
    """Accepted for Keras programs; cnnkit never runs code from a model file, so there is nothing to enable."""


def disable_interactive_logging() -> None:
    progress.interactive_logging = False


def enable_interactive_logging() -> None:
    progress.interactive_logging = True


def is_interactive_logging_enabled() -> bool:
    return progress.interactive_logging


def set_keras_defaults(version: int) -> None:
    """Take Keras 2.3's defaults (2) or Keras 3's (3) where they differ: see common/keras_defaults.py."""
    keras_defaults.set_version(version)


def keras_defaults_version() -> int:
    return keras_defaults.version()
