"""Keras 2's `keras.layers.advanced_activations` address, which older tutorials import from
(`from keras.layers.advanced_activations import LeakyReLU`)."""

from cnnkit.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
