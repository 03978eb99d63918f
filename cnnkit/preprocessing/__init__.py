"""Keras's preprocessing helpers: `cnnkit.preprocessing.image` (ImageDataGenerator, load_img, ...),
`cnnkit.preprocessing.sequence` (pad_sequences), `cnnkit.preprocessing.text` (Tokenizer), and
image_dataset_from_directory under its Keras 2 address (`keras.preprocessing.image_dataset_from_directory`)."""

from cnnkit.preprocessing import image, sequence, text
from cnnkit.preprocessing.image_dataset import image_dataset_from_directory

__all__ = ["image", "image_dataset_from_directory", "sequence", "text"]
