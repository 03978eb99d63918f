"""`keras.layers.experimental.preprocessing.RandomFlip(...)` and the rest, as Keras 2.3-2.5 named
them; the same layers as `cnnkit.layers`."""

from cnnkit.layers.augmentation import (
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from cnnkit.layers.core import Rescaling
from cnnkit.layers.preprocessing import CenterCrop, Normalization, Resizing
from cnnkit.layers.text_vectorization import TextVectorization

__all__ = [
    "CenterCrop",
    "Normalization",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "TextVectorization",
]
