"""Keras-named layers, each a torch.nn.Module (channels-last shapes at the API, NCHW inside)."""

from cnnkit.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from cnnkit.layers.augmentation import (
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from cnnkit.layers.base import Layer
from cnnkit.layers.conv import Conv2D
from cnnkit.layers.conv1d import (
    AveragePooling1D,
    Conv1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
)
from cnnkit.layers.core import (
    Activation,
    ActivityRegularization,
    AlphaDropout,
    Dense,
    Dropout,
    GaussianDropout,
    GaussianNoise,
    Identity,
    Rescaling,
    SpatialDropout1D,
    SpatialDropout2D,
)
from cnnkit.layers.embedding import Embedding
from cnnkit.layers.feature_normalization import GroupNormalization, UnitNormalization
from cnnkit.layers.input_layer import Input, InputLayer, KerasTensor
from cnnkit.layers.lambda_layer import Lambda
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
from cnnkit.layers.normalization import BatchNormalization, LayerNormalization
from cnnkit.layers.pooling import (
    AveragePooling2D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
)
from cnnkit.layers.preprocessing import CenterCrop, Normalization, Resizing
from cnnkit.layers.recurrent import GRU, LSTM, RNN, SimpleRNN
from cnnkit.layers.recurrent_cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from cnnkit.layers.reshaping import Cropping2D, Flatten, Permute, RepeatVector, Reshape, ZeroPadding2D
from cnnkit.layers.separable import DepthwiseConv2D, SeparableConv2D
from cnnkit.layers.sequence_reshaping import Cropping1D, UpSampling1D, ZeroPadding1D
from cnnkit.layers.text_vectorization import TextVectorization
from cnnkit.layers.upsampling import Conv2DTranspose, UpSampling2D
from cnnkit.layers.wrappers import Bidirectional, TimeDistributed

# Keras's shorter aliases.
Convolution1D = Conv1D
Convolution2D = Conv2D
SeparableConvolution2D = SeparableConv2D
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D

__all__ = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "Bidirectional",
    "Embedding",
    "Masking",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
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
    "AveragePooling1D",
    "AveragePooling2D",
    "AvgPool1D",
    "AvgPool2D",
    "BatchNormalization",
    "Conv1D",
    "Conv2D",
    "Convolution1D",
    "Convolution2D",
    "Dense",
    "Dropout",
    "GroupNormalization",
    "Identity",
    "ELU",
    "Flatten",
    "GaussianNoise",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Lambda",
    "Layer",
    "LayerNormalization",
    "LeakyReLU",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "PReLU",
    "RandomBrightness",
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
    "TextVectorization",
    "ThresholdedReLU",
    "UnitNormalization",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "CenterCrop",
    "Normalization",
    "Resizing",
    "Conv2DTranspose",
    "UpSampling1D",
    "UpSampling2D",
    "Cropping1D",
    "Cropping2D",
    "Permute",
    "RepeatVector",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "SeparableConvolution2D",
    "ActivityRegularization",
    "AlphaDropout",
    "GaussianDropout",
]

# Keras 2.3-2.5's address, `layers.experimental.preprocessing.RandomFlip`; imported last, as it
# re-exports the layers above.
from cnnkit.layers import experimental  # noqa: E402, F401
