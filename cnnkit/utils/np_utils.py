"""Keras 2's `keras.utils.np_utils` address, as older tutorials write it:
`from keras.utils import np_utils; y = np_utils.to_categorical(y, 10)`."""

from cnnkit.utils import normalize, to_categorical

__all__ = ["normalize", "to_categorical"]
