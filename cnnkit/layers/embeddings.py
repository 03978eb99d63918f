"""Keras 2's `keras.layers.embeddings` address (`from keras.layers.embeddings import Embedding`)."""

from cnnkit.layers.core import Embedding

__all__ = ["Embedding"]
