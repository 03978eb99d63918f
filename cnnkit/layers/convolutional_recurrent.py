"""Keras 2's `keras.layers.convolutional_recurrent` address (`from keras.layers.convolutional_recurrent import
ConvLSTM2D`); the layer lives in cnnkit/layers/rnn/."""

from cnnkit.layers.rnn import ConvLSTM2D

__all__ = ["ConvLSTM2D"]
