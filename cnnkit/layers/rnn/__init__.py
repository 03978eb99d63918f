"""Recurrent layers (Keras's layers/rnn): RNN with its cells, LSTM, GRU, SimpleRNN, and the Bidirectional and
TimeDistributed wrappers."""

from cnnkit.layers.rnn.bidirectional import Bidirectional
from cnnkit.layers.rnn.conv_lstm2d import ConvLSTM2D
from cnnkit.layers.rnn.gru import GRU, GRUCell
from cnnkit.layers.rnn.lstm import LSTM, LSTMCell
from cnnkit.layers.rnn.recurrent_cell import RecurrentCell
from cnnkit.layers.rnn.rnn import RNN, SequenceRunner
from cnnkit.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from cnnkit.layers.rnn.stacked_rnn_cells import StackedRNNCells
from cnnkit.layers.rnn.time_distributed import TimeDistributed
