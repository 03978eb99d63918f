"""Augmentation layers: each transformation checked exactly, in training only, batched."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers


def images(n=16, c=2, h=8, w=8):
    return torch.arange(n * c * h * w, dtype=torch.float32).reshape(n, c, h, w)


def trained(layer, shape=(8, 8, 2)):
    layer.build_for((None, *shape))
    return layer.train()


def test_random_flip_flips_whole_images_half_the_time():
    x = images(64)
    y = trained(layers.RandomFlip("horizontal"))(x)
    flipped = torch.tensor([torch.equal(a, b.flip(-1)) for a, b in zip(y, x)])
    kept = torch.tensor([torch.equal(a, b) for a, b in zip(y, x)])
    assert torch.all(flipped | kept) and 10 < int(flipped.sum()) < 54
    both = trained(layers.RandomFlip())(x)
    options = lambda b: [b, b.flip(-1), b.flip(-2), b.flip(-1).flip(-2)]  # noqa: E731
    assert all(any(torch.equal(a, o) for o in options(b)) for a, b in zip(both, x))


def test_rotation_by_a_quarter_turn_is_rot90():
    x = images(4, 1, 6, 6)
    y = trained(layers.RandomRotation((0.25, 0.25), interpolation="nearest"), (6, 6, 1))(x)
    candidates = [torch.rot90(x, k, dims=(2, 3)) for k in (1, 3)]
    assert any(torch.allclose(y, c) for c in candidates)


def test_translation_shifts_by_the_fraction_and_fills():
    x = images(3, 1, 8, 8) + 1
    layer = trained(
        layers.RandomTranslation(0.0, (0.25, 0.25), fill_mode="constant", interpolation="nearest"), (8, 8, 1)
    )
    y = layer(x)
    assert torch.equal(y[..., 2:], x[..., :-2]) and torch.all(y[..., :2] == 0)  # two pixels to the right


def test_zoom_zero_is_identity_and_zoom_out_shrinks():
    x = torch.rand(2, 1, 8, 8)
    torch.testing.assert_close(trained(layers.RandomZoom((0.0, 0.0)), (8, 8, 1))(x), x)
    ones = torch.ones(1, 1, 8, 8)
    out = trained(layers.RandomZoom((1.0, 1.0), fill_mode="constant"), (8, 8, 1))(ones)
    assert out[..., 3:5, 3:5].min() == 1 and out[..., 0, 0] == 0  # half-size image in the middle


def test_random_crop_takes_windows_and_the_centre_in_inference():
    x = images(8, 2, 8, 8)
    layer = trained(layers.RandomCrop(5, 4))
    assert layer.compute_output_shape((None, 8, 8, 2)) == (None, 5, 4, 2)
    y = layer(x)
    for out, source in zip(y, x):
        windows = [source[:, t : t + 5, s : s + 4] for t in range(4) for s in range(5)]
        assert any(torch.equal(out, w) for w in windows)
    layer.eval()
    assert torch.equal(layer(x), x[:, :, 1:6, 2:6])


def test_random_contrast_scales_around_each_mean():
    x = torch.rand(16, 3, 4, 4) * 100 + 50
    y = trained(layers.RandomContrast(0.5), (4, 4, 3))(x)
    mean = x.mean(dim=(2, 3), keepdim=True)
    factor = (y - mean) / (x - mean)
    per_image = factor.flatten(1)
    assert torch.allclose(per_image, per_image[:, :1].expand_as(per_image), atol=1e-3)
    assert torch.all((per_image >= 0.5 - 1e-4) & (per_image <= 1.5 + 1e-4))


def test_random_brightness_shifts_each_image_by_one_amount_and_clips():
    x = torch.rand(32, 3, 4, 4) * 100 + 80  # 80..180: shifts of up to 0.2 * 255 = 51 stay inside 0..255
    y = trained(layers.RandomBrightness(0.2), (4, 4, 3))(x)
    shift = (y - x).flatten(1)
    assert torch.allclose(shift, shift[:, :1].expand_as(shift), atol=1e-4)  # one shift per image
    assert torch.all(shift.abs() <= 0.2 * 255 + 1e-3) and shift[:, 0].std() > 10
    up = trained(layers.RandomBrightness((0.5, 0.9), value_range=(0, 1)), (4, 4, 3))(torch.full((8, 3, 4, 4), 0.8))
    assert torch.equal(up, torch.ones_like(up))  # brighter by at least 0.5: clipped at the range's top
    with pytest.raises(ValueError, match="factor must be a number in \\[-1, 1\\]"):
        layers.RandomBrightness(1.5)


@pytest.mark.parametrize(
    "layer",
    [
        layers.RandomFlip(),
        layers.RandomBrightness(0.3),
        layers.RandomRotation(0.2),
        layers.RandomTranslation(0.2, 0.2),
        layers.RandomZoom(0.2),
        layers.RandomContrast(0.3),
    ],
)
def test_augmentation_is_off_outside_training(layer, rng):
    model = keras.Sequential([layers.Input(shape=(8, 8, 1)), layer, layers.Flatten(), layers.Dense(2)])
    x = rng.random((4, 8, 8, 1)).astype(np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, rng.random((4, 2)).astype(np.float32), epochs=1, verbose=0)  # and trains with it on


def test_augmentation_argument_errors():
    with pytest.raises(ValueError, match="fill_mode must be one of"):
        layers.RandomRotation(0.1, fill_mode="wrap")
    with pytest.raises(ValueError, match="mode must be horizontal"):
        layers.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="cannot crop 10x10 from images of 8x8"):
        layers.RandomCrop(10, 10).build_for((None, 8, 8, 1))
