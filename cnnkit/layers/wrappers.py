"""Keras 2's `keras.layers.wrappers` address (`from keras.layers.wrappers import TimeDistributed`); the
wrappers live in cnnkit/layers/rnn/."""

from cnnkit.layers.layer import Layer
from cnnkit.layers.rnn import Bidirectional, TimeDistributed

__all__ = ["Bidirectional", "Layer", "TimeDistributed"]
