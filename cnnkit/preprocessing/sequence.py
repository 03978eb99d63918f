"""Keras's `keras.preprocessing.sequence` (the name older scripts import pad_sequences from)."""

from cnnkit.preprocessing.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
