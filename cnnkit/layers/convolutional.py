"""Keras 1 and 2's `keras.layers.convolutional` address, which older tutorials import from
(`from keras.layers.convolutional import Conv2D, MaxPooling2D`)."""

from cnnkit.layers import Convolution1D, Convolution2D
from cnnkit.layers.conv import Conv2D
from cnnkit.layers.conv1d import Conv1D
from cnnkit.layers.pooling import AveragePooling2D, MaxPooling2D
from cnnkit.layers.reshaping import ZeroPadding2D
from cnnkit.layers.upsampling import Conv2DTranspose, UpSampling2D

__all__ = [
    "AveragePooling2D",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Convolution1D",
    "Convolution2D",
    "MaxPooling2D",
    "UpSampling2D",
    "ZeroPadding2D",
]
