"""Keras 2's `keras.layers.recurrent` address (`from keras.layers.recurrent import LSTM`); the layers live in
cnnkit/layers/rnn/."""

from cnnkit.layers.layer import Layer
from cnnkit.layers.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "Layer", "RNN", "SimpleRNN", "SimpleRNNCell", "StackedRNNCells"]
