"""Keras's `keras.applications.vgg19` address: VGG19 and the preprocess_input its torchvision
weights need (see imagenet_utils.py)."""

from cnnkit.applications.imagenet_utils import decode_predictions, preprocess_input
from cnnkit.applications.vgg import VGG19

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]
