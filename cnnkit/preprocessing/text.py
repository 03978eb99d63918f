"""Keras 2's text preprocessing, as LSTM text-classification tutorials use it:

    tokenizer = Tokenizer(num_words=5000, oov_token="<OOV>")
    tokenizer.fit_on_texts(train_texts)
    x = pad_sequences(tokenizer.texts_to_sequences(train_texts), maxlen=100)

Words are numbered from 1 by how often they occur in the texts given to `fit_on_texts` (ties
in order of first appearance); 0 is left for padding. With `num_words`, only the words numbered
below it are kept (the rest become `oov_token`'s number, or are dropped without one).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(text: str, filters: str = FILTERS, lower: bool = True, split: str = " ") -> list[str]:
    """The words of `text`: lower-cased, the `filters` characters turned into separators."""
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({character: split for character in filters}))
    return [word for word in text.split(split) if word]


class Tokenizer:
    def __init__(
        self,
        num_words: int | None = None,
        filters: str = FILTERS,
        lower: bool = True,
        split: str = " ",
        char_level: bool = False,
        oov_token: str | None = None,
        **kwargs,
    ) -> None:
        if kwargs:
            raise TypeError(f"Tokenizer: unknown argument(s) {', '.join(sorted(kwargs))}")
        if num_words is not None and (not isinstance(num_words, int) or num_words < 1):
            raise ValueError(f"Tokenizer: num_words must be a positive int or None; received num_words={num_words!r}")
        self.num_words, self.filters, self.lower, self.split = num_words, filters, lower, split
        self.char_level, self.oov_token = char_level, oov_token
        self.word_counts: Counter = Counter()
        self.word_docs: Counter = Counter()  # in how many texts each word occurs
        self.index_docs: dict[int, int] = {}
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}
        self.document_count = 0

    def _words(self, text) -> list[str]:
        if isinstance(text, (list, tuple)):  # already split into words
            return [word.lower() for word in text] if self.lower else list(text)
        if self.char_level:
            return list(text.lower() if self.lower else text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts) -> None:
        """Count the words of `texts` (strings, or lists of words) and number them."""
        if isinstance(texts, str):
            raise ValueError("Tokenizer.fit_on_texts: expected a list of texts; received one string")
        for text in texts:
            words = self._words(text)
            self.document_count += 1
            self.word_counts.update(words)
            self.word_docs.update(set(words))
        ranked = sorted(self.word_counts, key=lambda word: -self.word_counts[word])  # stable: first seen first
        if self.oov_token is not None:
            ranked = [self.oov_token] + [word for word in ranked if word != self.oov_token]
        self.word_index = {word: number for number, word in enumerate(ranked, start=1)}
        self.index_word = {number: word for word, number in self.word_index.items()}
        self.index_docs = {self.word_index[word]: count for word, count in self.word_docs.items()}

    def _keep(self, number: int | None) -> int | None:
        """The number a word stands for in sequences: its own, the OOV token's, or None (dropped)."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        if number is None or (self.num_words is not None and number >= self.num_words):
            return oov
        return number

    def texts_to_sequences(self, texts) -> list[list[int]]:
        """Each text as the list of its words' numbers."""
        if not self.word_index:
            raise ValueError("Tokenizer: call fit_on_texts first; no words are known yet")
        sequences = []
        for text in texts:
            numbers = (self._keep(self.word_index.get(word)) for word in self._words(text))
            sequences.append([number for number in numbers if number is not None])
        return sequences

    def sequences_to_texts(self, sequences) -> list[str]:
        """Each sequence of numbers back as words joined by spaces. A number without a word, or
        beyond `num_words`, becomes the OOV token (or is dropped without one), as in Keras."""
        texts = []
        for sequence in sequences:
            words = []
            for number in map(int, sequence):
                word = self.index_word.get(number)
                if word is not None and (self.num_words is None or number < self.num_words):
                    words.append(word)
                elif self.oov_token is not None:
                    words.append(self.oov_token)
            texts.append(" ".join(words))
        return texts

    def texts_to_matrix(self, texts, mode: str = "binary") -> np.ndarray:
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode)

    def sequences_to_matrix(self, sequences, mode: str = "binary") -> np.ndarray:
        """One row per sequence, one column per word number: "binary" (present or not), "count",
        "freq" (count / length) or "tfidf" ((1 + log count) * log(1 + texts / (1 + texts with it)))."""
        if mode not in MATRIX_MODES:
            raise ValueError(f"Tokenizer: mode must be one of {', '.join(MATRIX_MODES)}; received mode={mode!r}")
        width = self.num_words or len(self.word_index) + 1
        matrix = np.zeros((len(sequences), width))
        for row, sequence in enumerate(sequences):
            counts = Counter(int(number) for number in sequence if int(number) < width)
            for number, count in counts.items():
                if mode == "binary":
                    matrix[row, number] = 1
                elif mode == "count":
                    matrix[row, number] = count
                elif mode == "freq":
                    matrix[row, number] = count / len(sequence)
                else:
                    idf = math.log(1 + self.document_count / (1 + self.index_docs.get(number, 0)))
                    matrix[row, number] = (1 + math.log(count)) * idf
        return matrix


__all__ = ["Tokenizer", "text_to_word_sequence"]
