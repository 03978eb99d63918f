"""Reshaping layers (Keras's layers/reshaping): flatten, reshape, permute, repeat, padding, cropping, upsampling."""

from cnnkit.layers.reshaping.cropping1d import Cropping1D
from cnnkit.layers.reshaping.cropping2d import Cropping2D
from cnnkit.layers.reshaping.flatten import Flatten
from cnnkit.layers.reshaping.permute import Permute
from cnnkit.layers.reshaping.repeat_vector import RepeatVector
from cnnkit.layers.reshaping.reshape import Reshape
from cnnkit.layers.reshaping.up_sampling1d import UpSampling1D
from cnnkit.layers.reshaping.up_sampling2d import UpSampling2D
from cnnkit.layers.reshaping.zero_padding1d import ZeroPadding1D
from cnnkit.layers.reshaping.zero_padding2d import ZeroPadding2D
