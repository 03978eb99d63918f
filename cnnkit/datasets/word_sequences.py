"""What Keras's IMDB and Reuters loaders do to the stored reviews and newswires: each text is a list
of word ranks (1 = the most frequent word); `load_data` shifts them by `index_from` to leave room
for padding (0), the start mark (1) and out-of-vocabulary (2), marks each start, drops long
texts and replaces rare words.

Two places where Keras's code and Keras's documentation disagree, and which way cnnkit goes:
- `maxlen` drops every text of `maxlen` words or more (start mark included), as Keras's code
  does, so data set sizes match Keras's tutorials; its documentation says "truncated".
- `num_words=None` keeps every word, as Keras documents; its code takes the largest index as the
  limit and so turns the rarest word into `oov_char`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from cnnkit.datasets.idx import DatasetError
from cnnkit.datasets.safe_pickle import read_npz
from cnnkit.datasets.store import DatasetSpec, locate

KERAS_MIRROR = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def find_file(spec: DatasetSpec, path) -> Path:
    """`path` if it names a file; the data set's own file name is searched for (and downloaded)
    like the other data sets."""
    (default,) = spec.digests
    given = Path(path).expanduser()
    if given.is_file():
        return given
    if str(path) != default:
        raise DatasetError(f"{spec.title}: {given} not found")
    return locate(spec) / default


def read_arrays(spec: DatasetSpec, path, keys: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """The sequence and label arrays `keys` (x, y, x, y, ...) of the data set's `.npz` file."""
    source = find_file(spec, path)
    arrays = read_npz(source, spec.title)
    missing = [key for key in keys if key not in arrays]
    if missing:
        raise DatasetError(f"{source}: not a Keras {spec.title} file: it lacks {', '.join(missing)}")
    found = tuple(arrays[key] for key in keys)
    for sequences, labels in zip(found[::2], found[1::2]):
        if sequences.ndim != 1 or labels.ndim != 1 or len(sequences) != len(labels):
            raise DatasetError(
                f"{source}: expected {len(labels)} sequences for {len(labels)} labels; received an array of shape "
                f"{sequences.shape}"
            )
    return found


def shuffled(rng: np.random.RandomState, *arrays: np.ndarray) -> list[np.ndarray]:
    """The arrays in one random order, drawn as Keras draws it (so the same seed gives its order)."""
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [array[order] for array in arrays]


def encode(sequences, start_char, index_from: int) -> list[list[int]]:
    """Shift every word rank by `index_from` and put `start_char` (unless None) in front."""
    head = [] if start_char is None else [int(start_char)]
    return [head + [int(word) + index_from for word in sequence] for sequence in sequences]


def drop_long(maxlen, sequences: list[list[int]], labels: np.ndarray) -> tuple[list[list[int]], np.ndarray]:
    if not maxlen:
        return sequences, labels
    keep = [i for i, sequence in enumerate(sequences) if len(sequence) < maxlen]
    return [sequences[i] for i in keep], labels[keep]


def limit_vocabulary(sequences: list[list[int]], num_words, skip_top: int, oov_char) -> list[list[int]]:
    """Words outside skip_top <= word < num_words become `oov_char`, or are left out when it is None."""
    limit = num_words if num_words else float("inf")
    if oov_char is None:
        return [[w for w in sequence if skip_top <= w < limit] for sequence in sequences]
    return [[w if skip_top <= w < limit else oov_char for w in sequence] for sequence in sequences]


def as_object_array(sequences: list[list[int]]) -> np.ndarray:
    """One entry per text, each a list of ints, as Keras returns them (ready for pad_sequences)."""
    array = np.empty(len(sequences), dtype=object)
    array[:] = sequences
    return array


def read_word_index(spec: DatasetSpec, path) -> dict[str, int]:
    source = find_file(spec, path)
    try:
        index = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatasetError(f"{source}: not a readable word index ({error})") from None
    if not isinstance(index, dict) or not all(isinstance(v, int) for v in index.values()):
        raise DatasetError(f"{source}: a word index maps words to integer ranks")
    return index
