"""Normalization layers (Keras's layers/normalization); also Keras 2's `keras.layers.normalization` address."""

from cnnkit.layers.layer import Layer
from cnnkit.layers.normalization.batch_normalization import BatchNormalization
from cnnkit.layers.normalization.group_normalization import GroupNormalization
from cnnkit.layers.normalization.layer_normalization import LayerNormalization
from cnnkit.layers.normalization.unit_normalization import UnitNormalization
