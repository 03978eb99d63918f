"""Preprocessing layers (Keras's layers/preprocessing): rescaling, resizing, cropping, normalization, the random
augmentations and TextVectorization."""

from cnnkit.layers.preprocessing.center_crop import CenterCrop
from cnnkit.layers.preprocessing.normalization import Normalization
from cnnkit.layers.preprocessing.random_brightness import RandomBrightness
from cnnkit.layers.preprocessing.random_contrast import RandomContrast
from cnnkit.layers.preprocessing.random_crop import RandomCrop
from cnnkit.layers.preprocessing.random_flip import RandomFlip
from cnnkit.layers.preprocessing.random_rotation import RandomRotation
from cnnkit.layers.preprocessing.random_translation import RandomTranslation
from cnnkit.layers.preprocessing.random_zoom import RandomZoom
from cnnkit.layers.preprocessing.rescaling import Rescaling
from cnnkit.layers.preprocessing.resizing import Resizing
from cnnkit.layers.preprocessing.text_vectorization import TextVectorization
