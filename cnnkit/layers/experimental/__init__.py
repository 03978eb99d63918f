"""Keras 2.3-2.5's `keras.layers.experimental` address (`layers.experimental.preprocessing`), which
tutorials of that time import the augmentation and preprocessing layers from."""

from cnnkit.layers.experimental import preprocessing

__all__ = ["preprocessing"]
