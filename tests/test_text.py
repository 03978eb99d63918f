"""Keras 2's Tokenizer, against counts and indices worked out by hand."""

import math

import numpy as np
import pytest

from cnnkit.preprocessing.sequence import pad_sequences
from cnnkit.preprocessing.text import Tokenizer, text_to_word_sequence

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "My cat, my rules"]


def test_words_are_numbered_by_frequency_then_first_appearance():
    assert text_to_word_sequence("Hello, World!  hello\tthere") == ["hello", "world", "hello", "there"]
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(TEXTS)
    # the: 3 and my: 3 (the seen first), cat: 2, then the words seen once in the order they appear
    assert list(tokenizer.word_index)[:4] == ["the", "my", "cat", "sat"]
    assert tokenizer.word_index["the"] == 1 and tokenizer.word_counts["my"] == 3 and tokenizer.document_count == 3
    assert tokenizer.texts_to_sequences(["the cat ate a fish"]) == [[1, 3, 8]]  # unknown words dropped
    assert tokenizer.sequences_to_texts([[1, 3, 8]]) == ["the cat ate"]


def test_num_words_and_the_oov_token():
    tokenizer = Tokenizer(num_words=4, oov_token="<OOV>")
    tokenizer.fit_on_texts(TEXTS)
    assert tokenizer.word_index["<OOV>"] == 1 and tokenizer.word_index["the"] == 2
    # only numbers below 4 are kept: the (2), my (3); everything else is the OOV token's 1
    assert tokenizer.texts_to_sequences(["the my cat sat on a mat"]) == [[2, 3, 1, 1, 1, 1, 1]]
    assert tokenizer.sequences_to_texts([[2, 3, 9]]) == ["the my <OOV>"]
    padded = pad_sequences(tokenizer.texts_to_sequences(TEXTS), maxlen=5)
    assert padded.shape == (3, 5)


def test_matrices():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(TEXTS)
    counts = tokenizer.texts_to_matrix(["my cat my"], mode="count")
    mine, cat = tokenizer.word_index["my"], tokenizer.word_index["cat"]
    assert counts.shape == (1, len(tokenizer.word_index) + 1)
    assert (counts[0, mine], counts[0, cat], counts.sum()) == (2, 1, 3)
    np.testing.assert_array_equal(tokenizer.texts_to_matrix(["my cat my"], mode="binary")[0, [mine, cat]], [1, 1])
    assert tokenizer.texts_to_matrix(["my cat my"], mode="freq")[0, mine] == pytest.approx(2 / 3)
    tfidf = tokenizer.texts_to_matrix(["my cat my"], mode="tfidf")[0, mine]
    assert tfidf == pytest.approx((1 + math.log(2)) * math.log(1 + 3 / (1 + 2)))  # "my" is in 2 of 3 texts
    with pytest.raises(ValueError, match="mode must be one of binary, count, tfidf, freq"):
        tokenizer.texts_to_matrix(["x"], mode="onehot")
    with pytest.raises(ValueError, match="call fit_on_texts first"):
        Tokenizer().texts_to_sequences(["x"])
