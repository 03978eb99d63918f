"""Pooling layers (Keras's layers/pooling), one a file; also Keras 2's `keras.layers.pooling` address."""

from cnnkit.layers.layer import Layer
from cnnkit.layers.pooling.average_pooling1d import AveragePooling1D
from cnnkit.layers.pooling.average_pooling2d import AveragePooling2D
from cnnkit.layers.pooling.average_pooling3d import AveragePooling3D
from cnnkit.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from cnnkit.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from cnnkit.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from cnnkit.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from cnnkit.layers.pooling.max_pooling1d import MaxPooling1D
from cnnkit.layers.pooling.max_pooling2d import MaxPooling2D
from cnnkit.layers.pooling.max_pooling3d import MaxPooling3D

# Keras's shorter aliases.
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
