"""Keras 2's `keras.layers.advanced_activations` address, which older tutorials import from
(`from keras.layers.advanced_activations import LeakyReLU`)."""

from cnnkit.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax", "ThresholdedReLU"]
