"""Python's, NumPy's and torch's random states as JSON-able data, so that a resumed run draws the
very numbers an uninterrupted one would (BackupAndRestore, `cnnkit train --resume`)."""

from __future__ import annotations

import random

import numpy as np
import torch


def random_states() -> dict:
    """Python's, NumPy's and torch's (CPU) random states as JSON-able data, for exact resumption."""
    numpy_state = np.random.get_state()
    return {
        "python": [random.getstate()[0], list(random.getstate()[1]), random.getstate()[2]],
        "numpy": [numpy_state[0], numpy_state[1].tolist(), *numpy_state[2:]],
        "torch": torch.get_rng_state().tolist(),
    }


def restore_random_states(states: dict) -> None:
    version, internal, gauss = states["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, *rest = states["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), *rest))
    torch.set_rng_state(torch.tensor(states["torch"], dtype=torch.uint8))
