"""preprocess_input for the pretrained ImageNet networks, and per-channel Rescaling under it,
against the normalization written out in NumPy."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers
from cnnkit.applications.imagenet_utils import preprocess_input
from cnnkit.applications.resnet50 import preprocess_input as resnet50_preprocess_input

MEAN, STD = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])


def test_the_default_is_torchvision_s_normalization_the_weights_were_trained_with(rng):
    images = rng.integers(0, 256, (2, 5, 4, 3)).astype(np.uint8)
    kept = images.copy()
    expected = (images / 255.0 - MEAN) / STD
    np.testing.assert_allclose(preprocess_input(images), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(images, kept)  # the input is left alone
    assert resnet50_preprocess_input is preprocess_input
    assert keras.applications.vgg16.preprocess_input is preprocess_input
    np.testing.assert_allclose(preprocess_input(images, mode="tf"), images / 127.5 - 1, rtol=1e-5, atol=1e-6)
    caffe = images[..., ::-1] - np.array([103.939, 116.779, 123.68])
    np.testing.assert_allclose(preprocess_input(images, mode="caffe"), caffe, rtol=1e-5, atol=1e-4)
    nchw = torch.from_numpy(images).permute(0, 3, 1, 2)
    np.testing.assert_allclose(preprocess_input(nchw).permute(0, 2, 3, 1).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_inside_a_model_it_is_a_per_channel_rescaling_that_saves(rng, tmp_path):
    images = rng.integers(0, 256, (2, 5, 4, 3)).astype(np.float32)
    inputs = layers.Input((5, 4, 3))
    model = keras.Model(inputs, preprocess_input(inputs))
    np.testing.assert_allclose(model.predict(images, verbose=0), (images / 255 - MEAN) / STD, rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0), rtol=1e-6)


def test_per_channel_rescaling_and_its_errors(rng):
    x = rng.random((3, 4)).astype(np.float32)
    scaled = layers.Rescaling([1.0, 2.0, 3.0, 4.0], offset=-1.0)(x).numpy()
    np.testing.assert_allclose(scaled, x * np.array([1, 2, 3, 4]) - 1, rtol=1e-6)
    with pytest.raises(ValueError, match="Rescaling '.*': has 2 scale values for inputs with 4 channels"):
        layers.Rescaling([1.0, 2.0])(x)
    with pytest.raises(ValueError, match="scale and offset have different lengths"):
        layers.Rescaling([1.0, 2.0], offset=[0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="scale must be a number or a list of numbers"):
        layers.Rescaling("half")
    with pytest.raises(ValueError, match="mode must be one of 'torch', 'tf', 'caffe'"):
        preprocess_input(x, mode="imagenet")
    with pytest.raises(ValueError, match="expected RGB images"):
        preprocess_input(x)


def test_googlenet_takes_the_pixels_its_torchvision_weights_were_ported_with(rng):
    from cnnkit.applications.googlenet import preprocess_input as googlenet_preprocess_input

    images = rng.integers(0, 256, (2, 5, 5, 3)).astype(np.float32)
    # torchvision normalizes as usual, then its GoogLeNet (transform_input=True) maps channel c
    # to x * (std_c / 0.5) + (mean_c - 0.5) / 0.5.
    normalized = (images / 255 - MEAN) / STD
    transformed = normalized * (np.array(STD) / 0.5) + (np.array(MEAN) - 0.5) / 0.5
    np.testing.assert_allclose(googlenet_preprocess_input(images), transformed, rtol=1e-5, atol=1e-5)
