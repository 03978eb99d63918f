"""Keras 2's `keras.layers.noise` address (`from keras.layers.noise import AlphaDropout`); the layers live in
cnnkit/layers/regularization/."""

from cnnkit.layers.regularization import AlphaDropout, GaussianDropout, GaussianNoise

__all__ = ["AlphaDropout", "GaussianDropout", "GaussianNoise"]
