"""IMDB and Reuters: Keras's `.npz` files (tiny ones written here), encoded as Keras encodes them,
found where Keras keeps them, and read without running code from them."""

import dataclasses
import json
import os

import numpy as np
import pytest

from cnnkit.datasets import DatasetError, imdb, reuters, store
from cnnkit.layers import LSTM, Dense, Embedding
from cnnkit.models import Sequential
from cnnkit.utils import pad_sequences


def ragged(*sequences):
    array = np.empty(len(sequences), dtype=object)
    array[:] = [list(s) for s in sequences]
    return array


TRAIN = ragged([1, 2, 3], [4, 5], [6, 1, 1, 9], [2])
TEST = ragged([7, 8], [3, 3, 3, 3, 3])


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """Private data folders, and mirrors that refuse at once (no waiting on the network)."""
    monkeypatch.setenv("CNNKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(store, "SYSTEM_DATASETS", tmp_path / "system")
    for module, name in ((imdb, "SEQUENCES"), (imdb, "WORD_INDEX"), (reuters, "SEQUENCES")):
        refusing = dataclasses.replace(getattr(module, name), mirrors=("http://127.0.0.1:9/",))
        monkeypatch.setattr(module, name, refusing)
    return tmp_path


def write_imdb(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x_train=TRAIN, y_train=np.array([0, 1, 1, 0]), x_test=TEST, y_test=np.array([1, 0]))
    return path


def test_imdb_encodes_as_keras_does(folders):
    path = write_imdb(folders / "imdb.npz")
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=path, seed=0)
    order = np.random.RandomState(0).permutation(4)  # the same draw as Keras's shuffle of the indices
    assert x_train.dtype == object and x_train.shape == (4,)
    assert [list(s) for s in x_train] == [[1] + [w + 3 for w in TRAIN[i]] for i in order]
    np.testing.assert_array_equal(y_train, np.array([0, 1, 1, 0])[order])
    assert sorted(map(tuple, x_test)) == [(1, 6, 6, 6, 6, 6), (1, 10, 11)] and len(y_test) == 2


def test_imdb_vocabulary_length_and_marks(folders):
    path = write_imdb(folders / "imdb.npz")
    (x_train, _), _ = imdb.load_data(path=path, num_words=6, skip_top=2, seed=0)
    # Words shift by 3 (1..9 -> 4..12); the start mark 1 is below skip_top and 6 and up are rare:
    # all become oov_char 2, as Keras does it.
    assert [list(s) for s in sorted(x_train, key=len)] == [[2, 5], [2, 2, 2], [2, 4, 5, 2], [2, 2, 4, 4, 2]]
    (short, labels), _ = imdb.load_data(path=path, maxlen=4, seed=0)
    assert sorted(len(s) for s in short) == [2, 3] and len(labels) == 2  # texts of maxlen or more are dropped
    (bare, _), _ = imdb.load_data(path=path, start_char=None, index_from=0, oov_char=None, num_words=5, seed=0)
    assert sorted(map(tuple, bare)) == sorted([(1, 2, 3), (4,), (1, 1), (2,)])  # 5, 6 and 9 left out
    (everything, _), _ = imdb.load_data(path=path, seed=0)
    assert max(w for s in everything for w in s) == 12  # num_words=None keeps the rarest word (9 + 3)
    with pytest.raises(ValueError, match="maxlen=2"):
        imdb.load_data(path=path, maxlen=2)


def test_reuters_splits_after_shuffling(folders):
    path = folders / "reuters.npz"
    texts = ragged(*[[i + 1] * (i + 1) for i in range(10)])
    np.savez(path, x=texts, y=np.arange(10))
    (x_train, y_train), (x_test, y_test) = reuters.load_data(path=path, test_split=0.3, seed=5)
    order = np.random.RandomState(5).permutation(10)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), order)
    assert len(x_train) == 7 and all(len(s) == label + 2 for s, label in zip(x_train, y_train))
    with pytest.raises(ValueError, match="test_split"):
        reuters.load_data(path=path, test_split=1.5)


def test_found_in_keras_download_folder_and_word_index(folders):
    write_imdb(folders / "keras" / "datasets" / "imdb.npz")
    (folders / "keras" / "datasets" / "imdb_word_index.json").write_text(json.dumps({"the": 1, "movie": 2}))
    (x_train, _), _ = imdb.load_data()
    assert len(x_train) == 4
    assert imdb.get_word_index() == {"the": 1, "movie": 2}


def test_missing_files_say_where_they_were_looked_for(folders):
    with pytest.raises(DatasetError) as error:
        imdb.load_data()
    text = str(error.value)
    assert "\n" not in text and "imdb.npz" in text and str(folders / "keras" / "datasets") in text
    with pytest.raises(DatasetError, match="elsewhere.npz not found"):
        imdb.load_data(path=folders / "elsewhere.npz")


class RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_tampered_file_is_refused_without_running_it(folders):
    marker = folders / "ran"
    bad = ragged([1, 2])
    bad[0] = RunsACommand(marker)
    path = folders / "imdb.npz"
    np.savez(path, x_train=bad, y_train=np.array([0]), x_test=TEST, y_test=np.array([1, 0]))
    with pytest.raises(DatasetError, match="refusing to load"):
        imdb.load_data(path=path)
    assert not marker.exists()
    path.write_bytes(b"not a zip")
    with pytest.raises(DatasetError, match="not a readable IMDB"):
        imdb.load_data(path=path)
    (folders / "index.json").write_text("[1, 2]")
    with pytest.raises(DatasetError, match="word index"):
        imdb.get_word_index(folders / "index.json")


def test_the_classic_lstm_sentiment_recipe_runs_on_it(folders):
    rng = np.random.default_rng(0)
    x = np.empty(64, dtype=object)
    x[:] = [list(rng.integers(1, 50, size=int(rng.integers(5, 30)))) for _ in range(64)]
    np.savez(folders / "imdb.npz", x_train=x, y_train=rng.integers(0, 2, 64), x_test=x[:16], y_test=np.zeros(16, int))
    (x_train, y_train), _ = imdb.load_data(path=folders / "imdb.npz", num_words=40)
    x_train = pad_sequences(x_train, maxlen=20)
    model = Sequential([Embedding(40, 8), LSTM(8), Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0)
    assert x_train.shape == (64, 20) and np.isfinite(history.history["loss"]).all()
