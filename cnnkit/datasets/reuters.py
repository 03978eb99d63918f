"""Reuters newswires (Reuters-21578, as Keras packs it): 11,228 texts, each a list of word
indices, labelled with one of 46 topics. Keras's own `reuters.npz` is found in cnnkit's data
folders or Keras's (`~/.keras/datasets`), or downloaded and checked against its published
SHA-256; its pickled sequences are read without running code (safe_pickle.py)."""

from __future__ import annotations

import numpy as np

from cnnkit.datasets import word_sequences as words
from cnnkit.datasets.store import DatasetSpec

SEQUENCES = DatasetSpec(
    name="reuters",
    title="Reuters",
    digests={"reuters.npz": "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"},
    mirrors=(words.KERAS_MIRROR,),
    classes=46,
)
WORD_INDEX = DatasetSpec(
    name="reuters",
    title="Reuters word index",
    digests={"reuters_word_index.json": "4d44cc38712099c9e383dc6e5f11a921"},
    mirrors=(words.KERAS_MIRROR,),
)


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top: int = 0,
    maxlen=None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char=1,
    oov_char=2,
    index_from: int = 3,
):
    """((x_train, y_train), (x_test, y_test)): the texts shuffled with `seed`, encoded as the IMDB
    reviews are (see word_sequences.py), the last `test_split` of them kept for testing."""
    if not 0 <= test_split <= 1:
        raise ValueError(f"reuters.load_data: test_split must be a fraction in [0, 1]; received {test_split!r}")
    x, y = words.shuffled(np.random.RandomState(seed), *words.read_arrays(SEQUENCES, path, ("x", "y")))
    x, y = words.drop_long(maxlen, words.encode(x, start_char, index_from), y)
    x = words.as_object_array(words.limit_vocabulary(x, num_words, skip_top, oov_char))
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def get_word_index(path="reuters_word_index.json") -> dict[str, int]:
    """word -> its rank (1 = most frequent); a text's index i is the word of rank i - index_from."""
    return words.read_word_index(WORD_INDEX, path)
