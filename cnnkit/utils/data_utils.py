"""Keras 2's `keras.utils.data_utils` address: `from keras.utils.data_utils import get_file`."""

from cnnkit.common.py_dataset import PyDataset, Sequence
from cnnkit.utils.downloads import get_file

__all__ = ["PyDataset", "Sequence", "get_file"]
