"""The module addresses older Keras tutorials import from (keras -> cnnkit on the import line is
the only change they need), and Keras's utils.normalize."""

import numpy as np

import cnnkit
from cnnkit import layers


def test_keras_2_module_addresses_give_the_same_classes():
    from cnnkit.layers.advanced_activations import LeakyReLU
    from cnnkit.layers.convolutional import Conv2D, Convolution2D, MaxPooling2D, UpSampling2D
    from cnnkit.layers.core.dense import Dense
    from cnnkit.layers.embeddings import Embedding
    from cnnkit.layers.normalization.batch_normalization import BatchNormalization
    from cnnkit.layers.regularization.dropout import Dropout
    from cnnkit.layers.reshaping.flatten import Flatten
    from cnnkit.models import Input, Model, Sequential
    from cnnkit.utils import np_utils

    assert (LeakyReLU, Conv2D, Convolution2D, MaxPooling2D, UpSampling2D) == (
        layers.LeakyReLU,
        layers.Conv2D,
        layers.Conv2D,
        layers.MaxPooling2D,
        layers.UpSampling2D,
    )
    assert (Dense, Dropout, Flatten, Embedding, BatchNormalization) == (
        layers.Dense,
        layers.Dropout,
        layers.Flatten,
        layers.Embedding,
        layers.BatchNormalization,
    )
    assert (Input, Model, Sequential) == (cnnkit.Input, cnnkit.Model, cnnkit.Sequential)
    np.testing.assert_array_equal(np_utils.to_categorical([2, 0], 3), [[0, 0, 1], [1, 0, 0]])


def test_the_experimental_preprocessing_address_of_keras_2_3_to_2_5():
    from cnnkit.layers.experimental.preprocessing import RandomFlip, Rescaling

    assert (RandomFlip, Rescaling) == (layers.RandomFlip, layers.Rescaling)
    augment = layers.experimental.preprocessing.RandomRotation(0.1)
    model = cnnkit.Sequential([layers.Input((8, 8, 3)), augment, layers.experimental.preprocessing.Rescaling(1 / 255)])
    assert isinstance(augment, layers.RandomRotation) and model.output_shape == (None, 8, 8, 3)


def test_normalize_divides_by_the_norm_along_an_axis(rng):
    x = rng.standard_normal((4, 5))
    x[1] = 0
    rows = cnnkit.utils.normalize(x, axis=1)
    expected = x / np.where(np.linalg.norm(x, axis=1, keepdims=True) == 0, 1, np.linalg.norm(x, axis=1, keepdims=True))
    np.testing.assert_allclose(rows, expected)
    np.testing.assert_array_equal(rows[1], 0)  # a zero row stays zero, not NaN
    columns = cnnkit.utils.normalize(x, axis=0, order=1)
    np.testing.assert_allclose(np.abs(columns).sum(axis=0), 1.0)
