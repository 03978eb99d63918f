"""Keras's `keras.applications.vgg16` address: VGG16 and the preprocess_input its torchvision
weights need (see imagenet_utils.py)."""

from cnnkit.applications.imagenet_utils import decode_predictions, preprocess_input
from cnnkit.applications.vgg import VGG16

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]
