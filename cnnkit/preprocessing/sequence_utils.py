"""pad_sequences: sequences of different lengths as one array, as Keras's does.

    pad_sequences([[1, 2, 3], [4, 5]], maxlen=4)  ->  [[0, 1, 2, 3], [0, 0, 4, 5]]

Padding and truncating happen at the start by default ("pre"), so an LSTM reading left to right
ends on the real tokens.
"""

from __future__ import annotations

import numpy as np


def pad_sequences(
    sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre", truncating: str = "pre", value=0.0
) -> np.ndarray:
    """An array (len(sequences), maxlen, *step_shape). `maxlen` defaults to the longest sequence;
    longer ones lose their first steps (truncating="pre") or last ones ("post"); shorter ones are
    filled with `value` before (padding="pre") or after ("post")."""
    where = "pad_sequences"
    for name, choice in (("padding", padding), ("truncating", truncating)):
        if choice not in ("pre", "post"):
            raise ValueError(f"{where}: {name} must be 'pre' or 'post'; received {name}={choice!r}")
    if maxlen is not None and (not isinstance(maxlen, (int, np.integer)) or isinstance(maxlen, bool) or maxlen < 0):
        raise ValueError(f"{where}: maxlen must be None or an int >= 0; received maxlen={maxlen!r}")
    try:
        rows = [np.asarray(sequence) for sequence in sequences]
    except TypeError:
        raise ValueError(
            f"{where}: sequences must be a list of sequences; received {type(sequences).__name__}"
        ) from None
    for n, row in enumerate(rows):
        if row.ndim == 0:
            raise ValueError(f"{where}: sequence {n} is a single value ({row!r}), not a sequence")
    step_shape = next((row.shape[1:] for row in rows if len(row)), ())
    for n, row in enumerate(rows):
        if len(row) and row.shape[1:] != step_shape:
            raise ValueError(f"{where}: sequence {n} has steps of shape {row.shape[1:]}; the others have {step_shape}")
    length = max((len(row) for row in rows), default=0) if maxlen is None else int(maxlen)
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.issubdtype(np.dtype(dtype), np.object_)
    if isinstance(value, str) and not is_text:
        raise ValueError(f"{where}: value={value!r} is text, but dtype={dtype!r} is not a text type")
    padded = np.full((len(rows), length, *step_shape), value, dtype=dtype)
    for n, row in enumerate(rows):
        if not len(row) or not length:
            continue
        kept = row[-length:] if truncating == "pre" else row[:length]
        if padding == "pre":
            padded[n, length - len(kept) :] = kept
        else:
            padded[n, : len(kept)] = kept
    return padded
