"""Resizing, CenterCrop and Normalization against NumPy written out: sampling at pixel centres,
centred crops, and mean/variance measured in float64."""

import numpy as np
import pytest

import cnnkit as keras
from cnnkit import layers
from cnnkit.utils import PyDataset


def bilinear_reference(image, height, width):
    """Half-pixel-centre bilinear sampling (TensorFlow's and torch's align_corners=False) of an
    (H, W, C) image."""

    def taps(out_size, in_size):
        source = np.maximum((np.arange(out_size) + 0.5) * in_size / out_size - 0.5, 0)
        low = np.floor(source).astype(int)
        return low, np.minimum(low + 1, in_size - 1), source - low

    (r0, r1, rw), (c0, c1, cw) = taps(height, image.shape[0]), taps(width, image.shape[1])
    rows = image[r0] * (1 - rw)[:, None, None] + image[r1] * rw[:, None, None]
    return rows[:, c0] * (1 - cw)[None, :, None] + rows[:, c1] * cw[None, :, None]


def test_resizing_samples_at_pixel_centres(rng):
    images = rng.random((2, 5, 7, 3)).astype(np.float32)
    for height, width in ((10, 14), (3, 4), (5, 7)):
        out = layers.Resizing(height, width)(images).numpy()
        for image, resized in zip(images, out):
            np.testing.assert_allclose(resized, bilinear_reference(image, height, width), rtol=1e-5, atol=1e-6)
    nearest = layers.Resizing(10, 14, interpolation="nearest")(images).numpy()
    np.testing.assert_array_equal(nearest, images.repeat(2, axis=1).repeat(2, axis=2))


def test_resizing_without_stretching(rng):
    wide = rng.random((1, 4, 8, 1)).astype(np.float32)
    cropped = layers.Resizing(4, 4, crop_to_aspect_ratio=True)(wide).numpy()
    np.testing.assert_array_equal(cropped, wide[:, :, 2:6])  # the centre square, not resampled
    padded = layers.Resizing(8, 8, pad_to_aspect_ratio=True, fill_value=-1.0)(wide).numpy()
    np.testing.assert_array_equal(padded[:, 2:6], wide)  # the picture between two bands of fill
    np.testing.assert_array_equal(padded[:, :2], -1.0)
    np.testing.assert_array_equal(padded[:, 6:], -1.0)
    with pytest.raises(ValueError, match="Resizing '.*': only one of crop_to_aspect_ratio and pad_to_aspect_ratio"):
        layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        layers.Resizing(4, 4, interpolation="lanczos5")
    with pytest.raises(ValueError, match="height must be a positive int"):
        layers.Resizing(0, 4)


def test_center_crop(rng):
    images = rng.random((2, 9, 8, 3)).astype(np.float32)
    np.testing.assert_array_equal(layers.CenterCrop(5, 4)(images).numpy(), images[:, 2:7, 2:6])
    model = keras.Sequential([layers.Input((9, 8, 3)), layers.CenterCrop(12, 12)])
    assert model.output_shape == (None, 12, 12, 3)
    np.testing.assert_allclose(
        model.predict(images, verbose=0)[0], bilinear_reference(images[0, :8, :8], 12, 12)[:, :, :], atol=1e-5
    )


class Batches(PyDataset):
    def __init__(self, x):
        super().__init__()
        self.x = x

    def __len__(self):
        return 3

    def __getitem__(self, index):
        part = self.x[index * 7 : (index + 1) * 7]
        return part, np.zeros(len(part))


def test_normalization_adapts_to_the_data_and_saves_what_it_measured(rng, tmp_path):
    images = (rng.random((20, 4, 5, 3)) * [1, 10, 100] + [0, 5, -50]).astype(np.float32)
    norm = layers.Normalization()
    norm.adapt(images)
    flat = images.reshape(-1, 3).astype(np.float64)
    mean, variance = norm.get_weights()
    np.testing.assert_allclose(mean, flat.mean(0), rtol=1e-6)
    np.testing.assert_allclose(variance, flat.var(0), rtol=1e-5)
    out = norm(images).cpu().numpy().reshape(-1, 3)  # adapt made it where models make their weights
    np.testing.assert_allclose(out, (flat - flat.mean(0)) / flat.std(0), rtol=1e-4, atol=1e-5)

    in_batches = layers.Normalization()
    in_batches.adapt(Batches(images))  # 7 + 7 + 6 samples: the same statistics as all at once
    for a, b in zip(in_batches.get_weights(), norm.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)

    model = keras.Sequential([layers.Input((4, 5, 3)), norm, layers.Flatten(), layers.Dense(2)])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0), rtol=1e-6)


def test_normalization_axes_given_statistics_and_invert(rng):
    x = rng.random((6, 4, 5, 2)).astype(np.float32) * 3
    per_row = layers.Normalization(axis=(1, 3))  # one mean per (row, channel)
    per_row.adapt(x)
    assert per_row.get_weights()[0].shape == (4, 2)
    np.testing.assert_allclose(per_row.get_weights()[0], x.astype(np.float64).mean(axis=(0, 2)), rtol=1e-6)
    scalar = layers.Normalization(axis=None)
    scalar.adapt(x)
    np.testing.assert_allclose(scalar.get_weights()[0], x.mean(), rtol=1e-5)

    features = rng.random((5, 3)).astype(np.float32)
    given = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25])
    np.testing.assert_allclose(given(features).numpy(), (features - [1, 2, 3]) / [2, 1, 0.5], rtol=1e-6)
    undo = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25], invert=True)
    np.testing.assert_allclose(undo(given(features).numpy()).numpy(), features, rtol=1e-5)
    assert layers.Normalization.from_config(given.get_config()).get_config() == given.get_config()
    with pytest.raises(ValueError, match="Normalization '.*': give both mean and variance"):
        layers.Normalization(mean=[1.0])
    with pytest.raises(ValueError, match="mean of shape \\(2,\\) does not fit"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 1.0])(features)
