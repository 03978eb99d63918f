"""Caps for a smoke run of a long program, set by `cnnkit run --max-epochs N --max-samples N`: every
`fit` runs at most `max_epochs` epochs, sees at most `max_samples` samples an epoch (arrays are cut,
generators stop early), `evaluate` reads at most `max_samples`; `cnnkit run` also wraps every data
set's `load_data` with `capped_load_data`. keras.config's max_epochs/max_steps_per_epoch set the same
caps from code. Unset (None), nothing is capped."""

from __future__ import annotations

import functools

max_epochs: int | None = None
max_samples: int | None = None
max_steps: int | None = None  # keras.config.set_max_steps_per_epoch: batches an epoch


def set_caps(epochs: int | None = None, samples: int | None = None) -> None:
    global max_epochs, max_samples
    max_epochs, max_samples = epochs, samples


def last_epoch(epochs: int, initial_epoch: int) -> int:
    """The `epochs` argument fit runs to: at most `max_epochs` after `initial_epoch`."""
    if max_epochs is None:
        return epochs
    return min(epochs, initial_epoch + max_epochs)


def first_samples(array):
    """`array` (or a list/tuple/dict of arrays) cut to its first `max_samples` samples; anything else
    (a generator, None, a scalar) as it is."""
    if max_samples is None or array is None:
        return array
    if isinstance(array, (list, tuple)):
        return type(array)(first_samples(item) for item in array)
    if isinstance(array, dict):
        return {key: first_samples(item) for key, item in array.items()}
    if hasattr(array, "shape") and len(array.shape) > 0 and hasattr(array, "__getitem__"):
        return array[:max_samples]
    return array


def enough_samples(seen: int, steps: int = 0) -> bool:
    """Whether an epoch has given `max_samples` samples or run `max_steps` batches (always False
    when uncapped)."""
    return (max_samples is not None and seen >= max_samples) or (max_steps is not None and steps >= max_steps)


def capped_load_data(load_data):
    """`load_data` whose every split is cut to `max_samples` samples (read when called)."""

    @functools.wraps(load_data)
    def load_capped(*args, **kwargs):
        return first_samples(load_data(*args, **kwargs))

    return load_capped
