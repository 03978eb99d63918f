"""Which Keras's defaults cnnkit takes where Keras 2.3 and Keras 3 differ. Keras 3's by default;
`cnnkit run --keras 2 program.py` or `cnnkit.config.set_keras_defaults(2)` switch to Keras 2.3's, so
an old program trains as it did there (Keras 2's mnist_cnn.py relies on Adadelta's rate of 1.0).

What differs: the learning rates of Adadelta (Keras 2: 1.0, Keras 3: 0.001), Adagrad (0.01; 0.001),
Adamax and Nadam (0.002; 0.001); Adagrad's initial accumulator (0.0; 0.1); GRU's reset_after
(False; True); hard_sigmoid (clip(0.2 x + 0.5, 0, 1); relu6(x + 3) / 6); and predict on inputs
of different lengths (Keras 2: as many samples as the first input; Keras 3: an error).
`cnnkit run --keras 2` also puts back the NumPy names removed since (np.float, np.int, ...)."""

from __future__ import annotations

_version = 3


def set_version(version: int) -> None:
    global _version
    if version not in (2, 3):
        raise ValueError(f"Keras defaults: version must be 2 or 3; received {version!r}")
    _version = int(version)


def version() -> int:
    return _version


def pick(keras3, keras2):
    """The default of the Keras version in force."""
    return keras2 if _version == 2 else keras3
