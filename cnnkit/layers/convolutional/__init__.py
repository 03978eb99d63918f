"""Convolution layers (Keras's layers/convolutional). Also Keras 1 and 2's `keras.layers.convolutional` address
(`from keras.layers.convolutional import Conv2D, MaxPooling2D`), so the pooling, padding and upsampling layers it
held are here too."""

from cnnkit.layers.convolutional.conv1d import Conv1D
from cnnkit.layers.convolutional.conv1d_transpose import Conv1DTranspose
from cnnkit.layers.convolutional.conv2d import Conv2D
from cnnkit.layers.convolutional.conv2d_transpose import Conv2DTranspose
from cnnkit.layers.convolutional.conv3d import Conv3D
from cnnkit.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from cnnkit.layers.convolutional.separable_conv2d import SeparableConv2D
from cnnkit.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from cnnkit.layers.reshaping import Cropping1D, Cropping2D, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D

# Keras's shorter aliases.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
SeparableConvolution2D = SeparableConv2D
