"""Keras's `keras.applications.resnet50` address: ResNet50 and the preprocess_input its torchvision
weights need (see imagenet_utils.py)."""

from cnnkit.applications.imagenet_utils import decode_predictions, preprocess_input
from cnnkit.applications.resnet import ResNet50

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
