"""Keras-named layers, each a torch.nn.Module (channels-last shapes at the API, NCHW inside)."""

from cnnkit.layers.activation_layers import LeakyReLU, ReLU, Softmax
from cnnkit.layers.augmentation import (
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from cnnkit.layers.base import Layer
from cnnkit.layers.conv import Conv2D
from cnnkit.layers.core import Activation, Dense, Dropout, GaussianNoise, Rescaling, SpatialDropout2D
from cnnkit.layers.embedding import Embedding
from cnnkit.layers.input_layer import Input, InputLayer, KerasTensor
from cnnkit.layers.masking import Masking
from cnnkit.layers.merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from cnnkit.layers.normalization import BatchNormalization
from cnnkit.layers.pooling import (
    AveragePooling2D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
)
from cnnkit.layers.recurrent import GRU, LSTM, SimpleRNN
from cnnkit.layers.reshaping import Flatten, Reshape, ZeroPadding2D
from cnnkit.layers.wrappers import Bidirectional, TimeDistributed

# Keras's shorter aliases.
Convolution2D = Conv2D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D

__all__ = [
    "GRU",
    "LSTM",
    "Bidirectional",
    "Embedding",
    "Masking",
    "SimpleRNN",
    "TimeDistributed",
    "Activation",
    "Add",
    "Average",
    "Concatenate",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
    "AveragePooling2D",
    "AvgPool2D",
    "BatchNormalization",
    "Conv2D",
    "Convolution2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GaussianNoise",
    "GlobalAveragePooling2D",
    "GlobalAvgPool2D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Layer",
    "LeakyReLU",
    "MaxPool2D",
    "MaxPooling2D",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "ReLU",
    "Rescaling",
    "Reshape",
    "Softmax",
    "SpatialDropout2D",
    "ZeroPadding2D",
]
