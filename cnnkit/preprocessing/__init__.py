"""Keras's preprocessing helpers: `cnnkit.preprocessing.image` (ImageDataGenerator, load_img, ...)
and `cnnkit.preprocessing.sequence` (pad_sequences)."""

from cnnkit.preprocessing import image, sequence

__all__ = ["image", "sequence"]
