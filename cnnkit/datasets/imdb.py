"""IMDB movie reviews (Maas et al. 2011): 25,000 training and 25,000 test reviews labelled
positive (1) or negative (0), each a list of word indices. Keras's own `imdb.npz` is found in
cnnkit's data folders or Keras's (`~/.keras/datasets`), or downloaded and checked against its
published SHA-256; its pickled sequences are read without running code (safe_pickle.py)."""

from __future__ import annotations

import numpy as np

from cnnkit.datasets import word_sequences as words
from cnnkit.datasets.store import DatasetSpec

SEQUENCES = DatasetSpec(
    name="imdb",
    title="IMDB",
    digests={"imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"},
    mirrors=(words.KERAS_MIRROR,),
    classes=2,
)
WORD_INDEX = DatasetSpec(
    name="imdb",
    title="IMDB word index",
    digests={"imdb_word_index.json": "bfafd718b763782e994055a2d397834f"},
    mirrors=(words.KERAS_MIRROR,),
)


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top: int = 0,
    maxlen=None,
    seed: int = 113,
    start_char=1,
    oov_char=2,
    index_from: int = 3,
):
    """((x_train, y_train), (x_test, y_test)) as Keras gives them: x an object array of word-index
    lists, y int labels. Keep the `num_words` most frequent words (others become `oov_char`),
    skip the `skip_top` most frequent, drop reviews of `maxlen` words or more (see
    word_sequences.py). `path`: an `imdb.npz` file, or the name searched for."""
    x_train, y_train, x_test, y_test = words.read_arrays(SEQUENCES, path, ("x_train", "y_train", "x_test", "y_test"))
    rng = np.random.RandomState(seed)
    x_train, y_train = words.shuffled(rng, x_train, y_train)
    x_test, y_test = words.shuffled(rng, x_test, y_test)
    splits = []
    for x, y in ((x_train, y_train), (x_test, y_test)):
        x, y = words.drop_long(maxlen, words.encode(x, start_char, index_from), y)
        splits.append((words.as_object_array(words.limit_vocabulary(x, num_words, skip_top, oov_char)), y))
    if maxlen and not (len(splits[0][0]) and len(splits[1][0])):
        raise ValueError(f"imdb.load_data: no review is shorter than maxlen={maxlen}; raise maxlen")
    return splits[0], splits[1]


def get_word_index(path="imdb_word_index.json") -> dict[str, int]:
    """word -> its rank (1 = most frequent); a review's index i is the word of rank i - index_from."""
    return words.read_word_index(WORD_INDEX, path)
