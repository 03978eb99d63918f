"""TextVectorization and text_dataset_from_directory: raw text to token indices to an LSTM."""

import math

import numpy as np
import pytest
import torch

import cnnkit
from cnnkit import layers
from cnnkit.layers import TextVectorization
from cnnkit.utils import text_dataset_from_directory


def test_a_given_vocabulary_as_in_keras_documentation():
    layer = TextVectorization(
        max_tokens=5000, output_mode="int", output_sequence_length=4, vocabulary=["earth", "wind", "and", "fire"]
    )
    assert layer(["earth wind and also fire"]).tolist() == [[2, 3, 4, 1]]  # 'also' is out of vocabulary; cut at 4
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert layer(np.array([["Fire!"], ["WIND"]])).tolist() == [[5, 0, 0, 0], [3, 0, 0, 0]]  # (batch, 1) strings


def test_adapt_ranks_by_count_then_as_keras_breaks_ties():
    layer = TextVectorization(max_tokens=6)
    layer.adapt(["the cat, the hat.", "The bat and THE cat", "a dog"])
    # the x4, cat x2, then one each (and, a, bat, dog, hat): the later string first; 4 learned + 2 special.
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "hat", "dog"]
    assert layer(["The hat; a cat"]).tolist() == [[2, 4, 1, 3]]  # padded to the longest text of the batch
    as_tuple = TextVectorization(max_tokens=6)
    as_tuple.adapt(("the cat, the hat.", "The bat and THE cat", "a dog"))  # every text of a tuple counts
    assert as_tuple.get_vocabulary() == layer.get_vocabulary()


def test_bag_of_words_modes_and_ngrams():
    texts = ["a b b", "b c", "c c c"]
    counts = TextVectorization(output_mode="count")
    counts.adapt(texts)
    vocabulary = counts.get_vocabulary()
    assert vocabulary == ["[UNK]", "c", "b", "a"]
    np.testing.assert_array_equal(counts(["a b b d"]).numpy(), [[1, 0, 2, 1]])
    multi_hot = TextVectorization(output_mode="multi_hot", vocabulary=vocabulary, max_tokens=8, pad_to_max_tokens=True)
    np.testing.assert_array_equal(multi_hot(["a b b d"]).numpy(), [[1, 0, 1, 1, 0, 0, 0, 0]])
    tf_idf = TextVectorization(output_mode="tf_idf")
    tf_idf.adapt(texts)
    idf = {token: math.log(1 + 3 / (1 + df)) for token, df in {"c": 2, "b": 2, "a": 1}.items()}
    oov = np.mean(list(idf.values()))
    np.testing.assert_allclose(tf_idf(["b b x"]).numpy(), [[oov, 0, 2 * idf["b"], 0]], rtol=1e-6)
    bigrams = TextVectorization(ngrams=2, output_mode="count")
    bigrams.adapt(["a b c"])
    assert sorted(bigrams.get_vocabulary()[1:]) == ["a", "a b", "b", "b c", "c"]


def test_standardize_and_split_options():
    keep_case = TextVectorization(standardize=None, split="character", vocabulary=list("aB"))
    assert keep_case(["aBc"]).tolist() == [[2, 3, 1]]
    custom = TextVectorization(standardize=lambda texts: np.char.replace(texts.astype(str), "<br />", " "))
    custom.adapt(["good<br />film"])
    assert set(custom.get_vocabulary()) == {"", "[UNK]", "good", "film"}
    with pytest.raises(ValueError, match="has no vocabulary yet"):
        TextVectorization()(["x"])
    with pytest.raises(ValueError, match="expected strings; received int"):
        TextVectorization(vocabulary=["a"])([1, 2])
    with pytest.raises(ValueError, match="output_mode must be one of"):
        TextVectorization(output_mode="binary")


def test_config_round_trip_keeps_the_vocabulary():
    layer = TextVectorization(max_tokens=10, output_sequence_length=3)
    layer.adapt(["one two three two"])
    again = TextVectorization.from_config(layer.get_config())
    assert again.get_vocabulary() == layer.get_vocabulary()
    assert torch.equal(again(["two one four"]), layer(["two one four"]))


def write_reviews(root, rng):
    words = {"pos": ["great", "fine", "love"], "neg": ["awful", "bad", "hate"]}
    for label, vocabulary in words.items():
        (root / label).mkdir(parents=True)
        for i in range(20):
            text = " ".join(rng.choice(vocabulary + ["the", "movie"], size=8))
            (root / label / f"{i}.txt").write_text(text + ("<br />" if i % 2 else ""), encoding="utf-8")
    (root / "neg" / "notes.md").write_text("not a review")


def test_text_folders_to_an_lstm(tmp_path, rng):
    write_reviews(tmp_path / "reviews", rng)
    train, val = text_dataset_from_directory(
        tmp_path / "reviews", batch_size=8, validation_split=0.25, subset="both", seed=7, verbose=False
    )
    assert train.class_names == ["neg", "pos"] and len(train.file_paths) == 30 and len(val.file_paths) == 10
    texts, labels = next(iter(train))
    assert texts.dtype == object and isinstance(texts[0], str) and labels.dtype == np.int32
    vectorize = TextVectorization(max_tokens=20, output_sequence_length=10)
    vectorize.adapt(train.map(lambda x, y: x))
    assert "love" in vectorize.get_vocabulary() and "notes" not in vectorize.get_vocabulary()
    model = cnnkit.Sequential(
        [layers.Input((10,)), layers.Embedding(20, 8), layers.LSTM(8), layers.Dense(1, activation="sigmoid")]
    )
    model.compile(loss="binary_crossentropy", optimizer=cnnkit.optimizers.Adam(0.02), metrics=["accuracy"])
    to_indices = lambda x, y: (vectorize(x), y.astype("float32"))  # noqa: E731
    history = model.fit(train.map(to_indices), validation_data=val.map(to_indices), epochs=8, verbose=0)
    assert history.history["val_accuracy"][-1] >= 0.9  # the two classes use different words
    short = text_dataset_from_directory(tmp_path / "reviews", max_length=5, shuffle=False, verbose=False)
    assert all(len(text) <= 5 for batch, _ in short for text in batch)


def test_text_folder_errors(tmp_path):
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match="text_dataset_from_directory: no files \\(.txt\\)"):
        text_dataset_from_directory(tmp_path / "empty")
    with pytest.raises(ValueError, match="validation_split and shuffle, give a seed"):
        text_dataset_from_directory(tmp_path / "empty", validation_split=0.2, subset="training")
