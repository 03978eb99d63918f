"""Keras 2's `keras.layers.embeddings` address (`from keras.layers.embeddings import Embedding`)."""

from cnnkit.layers.embedding import Embedding

__all__ = ["Embedding"]
