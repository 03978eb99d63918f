"""TextVectorization: Keras's layer that turns strings into token indices or bag-of-words vectors.

    vectorize = TextVectorization(max_tokens=20000, output_sequence_length=200)
    vectorize.adapt(train_texts)                       # learn the vocabulary
    x_train = vectorize(train_texts)                   # (samples, 200) int64 token indices

Each text is standardized ("lower_and_strip_punctuation": ASCII letters lowered, Keras's
punctuation removed), split (on runs of ASCII whitespace, or into characters), optionally
joined into n-grams, then looked up. `adapt` ranks tokens by count, ties broken as Keras breaks
them (the later string first). In "int" mode index 0 is padding and 1 the out-of-vocabulary token
"[UNK]"; "multi_hot", "count" and "tf_idf" give one column per vocabulary entry, column 0 for
"[UNK]". tf_idf weighs counts by log(1 + documents / (1 + documents with the token)), and "[UNK]"
by the mean of those weights, as Keras does.

Strings cannot be torch tensors, so, as with Keras on its torch and JAX backends, the layer runs
on the data before the model (directly, or in a dataset's `map`), not inside it. A `standardize`
callable gets and returns a NumPy array of strings (Keras hands it the same on those backends); a
`split` callable gets one standardized string and returns its tokens.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import torch

from cnnkit.layers.layer import Layer

OOV, PAD = "[UNK]", ""
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation", None)
SPLIT = ("whitespace", "character", None)
OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")
PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
ASCII_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _text_batches(data):
    """Strings given at once (a list, tuple or array of them) as one batch; a dataset's batches one
    by one, the texts of a (texts, labels) batch."""
    if isinstance(data, (str, list, tuple, np.ndarray)):
        yield data
        return
    for batch in data:
        yield batch[0] if isinstance(batch, tuple) else batch


class TextVectorization(Layer):
    def __init__(
        self,
        max_tokens=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode="int",
        output_sequence_length=None,
        pad_to_max_tokens=False,
        vocabulary=None,
        idf_weights=None,
        sparse=False,
        ragged=False,
        encoding="utf-8",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if standardize not in STANDARDIZE and not callable(standardize):
            raise self.error(f"standardize must be one of {STANDARDIZE} or a callable; received {standardize!r}")
        if split not in SPLIT and not callable(split):
            raise self.error(f"split must be one of {SPLIT} or a callable; received {split!r}")
        if output_mode not in OUTPUT_MODES:
            raise self.error(f"output_mode must be one of {OUTPUT_MODES}; received {output_mode!r}")
        minimum = 3 if output_mode == "int" else 2
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < minimum):
            raise self.error(f"max_tokens must be None or an int >= {minimum}; received {max_tokens!r}")
        if output_sequence_length is not None and (output_mode != "int" or output_sequence_length < 1):
            raise self.error("output_sequence_length is an int >= 1, and only for output_mode='int'")
        if sparse or ragged:
            raise self.error("sparse and ragged outputs are not supported; outputs are dense tensors")
        self.ngram_widths = self._ngram_widths(ngrams)
        self.max_tokens, self.standardize, self.split, self.ngrams = max_tokens, standardize, split, ngrams
        self.output_mode, self.output_sequence_length = output_mode, output_sequence_length
        self.pad_to_max_tokens, self.encoding = bool(pad_to_max_tokens), encoding
        self._vocabulary: list[str] = []
        self._index: dict[str, int] = {}
        self._idf: np.ndarray | None = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True  # no weights: nothing to build

    def _ngram_widths(self, ngrams) -> tuple[int, ...]:
        if ngrams is None:
            return (1,)
        if isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams >= 1:
            return tuple(range(1, ngrams + 1))  # an int n: every width up to n, as Keras
        if isinstance(ngrams, tuple) and ngrams and all(isinstance(n, int) and n >= 1 for n in ngrams):
            return ngrams
        raise self.error(f"ngrams must be None, an int >= 1 or a tuple of them; received {ngrams!r}")

    # ---- text to tokens ---------------------------------------------------------------------------
    def _texts(self, inputs) -> np.ndarray:
        """A batch of strings as a 1-D object array (bytes decoded); (batch, 1) is taken too."""
        if isinstance(inputs, (str, bytes)):
            inputs = [inputs]
        array = np.asarray(inputs, dtype=object)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise self.error(f"expected a batch of strings (batch,) or (batch, 1); received shape {array.shape}")
        texts = [t.decode(self.encoding) if isinstance(t, bytes) else t for t in array]
        wrong = next((t for t in texts if not isinstance(t, str)), None)
        if wrong is not None:
            raise self.error(f"expected strings; received {type(wrong).__name__} {wrong!r}")
        return np.asarray(texts, dtype=object)

    def _standardized(self, texts: np.ndarray) -> np.ndarray:
        if callable(self.standardize):
            return np.asarray(self.standardize(texts), dtype=object)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            texts = np.asarray([t.translate(ASCII_LOWER) for t in texts], dtype=object)
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            texts = np.asarray([PUNCTUATION.sub("", t) for t in texts], dtype=object)
        return texts

    def _tokens(self, text: str) -> list[str]:
        if self.split is None:
            words = [text]
        elif self.split == "whitespace":
            words = [w for w in ASCII_WHITESPACE.split(text) if w]
        elif self.split == "character":
            words = list(text)
        else:
            words = list(self.split(text))
        return [" ".join(words[i : i + n]) for n in self.ngram_widths for i in range(len(words) - n + 1)]

    def _tokenized(self, inputs) -> list[list[str]]:
        return [self._tokens(text) for text in self._standardized(self._texts(inputs))]

    # ---- vocabulary ------------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary (and, for tf_idf, the document frequencies) from `data`: strings, or
        a dataset of batches of strings (its (texts, labels) batches give their texts)."""
        counts, documents, total = Counter(), Counter(), 0
        for step, texts in enumerate(_text_batches(data)):
            if steps is not None and step >= steps:
                break
            for tokens in self._tokenized(texts):
                counts.update(tokens)
                documents.update(set(tokens))
                total += 1
        for special in (PAD, OOV):
            counts.pop(special, None)
        # Most frequent first; equal counts with the later string first (Keras's reversed lexsort).
        ranked = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[: self.max_tokens - len(self._specials())]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + total / (1 + documents[token])) for token in ranked]
        self._install(ranked, idf)

    def _specials(self) -> list[str]:
        return [PAD, OOV] if self.output_mode == "int" else [OOV]

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use `vocabulary` (a list of tokens, without the special ones, or a file of one token per
        line); tf_idf needs `idf_weights`, one per token."""
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding=self.encoding) as stream:
                vocabulary = [line.rstrip("\n") for line in stream]
        tokens, specials = list(vocabulary), self._specials()
        if tokens[: len(specials)] == specials:  # given with its special tokens first, as get_vocabulary() lists it
            tokens = tokens[len(specials) :]
        if PAD in tokens or OOV in tokens or len(set(tokens)) != len(tokens):
            raise self.error(f"the vocabulary repeats a token, or holds {PAD!r} or {OOV!r} other than first")
        if self.output_mode == "tf_idf" and (idf_weights is None or len(idf_weights) != len(tokens)):
            raise self.error("output_mode='tf_idf' needs idf_weights, one per vocabulary token")
        if self.max_tokens is not None and len(tokens) + len(self._specials()) > self.max_tokens:
            raise self.error(f"a vocabulary of {len(tokens)} tokens and {self._specials()} exceeds max_tokens")
        self._install(tokens, idf_weights)

    def _install(self, tokens: list[str], idf) -> None:
        self._vocabulary = self._specials() + list(tokens)
        self._index = {token: i for i, token in enumerate(self._vocabulary)}
        if idf is not None:
            idf = np.asarray(idf, dtype=np.float32)
            self._idf = np.concatenate([[idf.mean() if len(idf) else 0.0], idf]).astype(np.float32)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        return list(self._vocabulary if include_special_tokens else self._vocabulary[len(self._specials()) :])

    def vocabulary_size(self) -> int:
        return len(self._vocabulary)

    # ---- strings to numbers ----------------------------------------------------------------------
    def __call__(self, inputs, training=None):
        """Token indices (int64) or per-token vectors (float32) for a batch of strings."""
        if not self._vocabulary:
            raise self.error("has no vocabulary yet: call adapt(texts) or pass vocabulary=")
        single = isinstance(inputs, str)
        tokenized = self._tokenized(inputs)
        oov = self._index[OOV]
        indices = [[self._index.get(token, oov) for token in tokens] for tokens in tokenized]
        if self.output_mode == "int":
            length = self.output_sequence_length or max((len(row) for row in indices), default=0)
            out = torch.zeros(len(indices), length, dtype=torch.int64)
            for row, values in enumerate(indices):
                if values[:length]:
                    out[row, : min(length, len(values))] = torch.tensor(values[:length])
        else:
            width = self.max_tokens if self.pad_to_max_tokens and self.max_tokens else len(self._vocabulary)
            counts = np.zeros((len(indices), width), dtype=np.float32)
            for row, values in enumerate(indices):
                np.add.at(counts[row], values, 1.0)
            if self.output_mode == "multi_hot":
                counts = np.minimum(counts, 1.0)
            elif self.output_mode == "tf_idf":
                counts[:, : len(self._idf)] *= self._idf
            out = torch.from_numpy(counts)
        return out[0] if single else out

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        width = self.max_tokens if self.pad_to_max_tokens and self.max_tokens else len(self._vocabulary)
        return (input_shape[0], width)

    def get_config(self) -> dict:
        if callable(self.standardize) or callable(self.split):
            raise self.error(
                "a callable standardize or split cannot be saved; give it again when you rebuild the layer"
            )
        return {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "encoding": self.encoding,
            "vocabulary": self.get_vocabulary(include_special_tokens=False) or None,
            "idf_weights": None if self._idf is None else self._idf[1:].tolist(),
        }
