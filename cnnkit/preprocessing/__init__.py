"""Keras's preprocessing helpers (`cnnkit.preprocessing.image.ImageDataGenerator`)."""

from cnnkit.preprocessing import image

__all__ = ["image"]
