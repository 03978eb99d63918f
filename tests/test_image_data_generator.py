"""ImageDataGenerator: Keras's arguments, batched transforms, and fit on its flow."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cnnkit as keras
from cnnkit import layers
from cnnkit.preprocessing.image import ImageDataGenerator, _affine_grid


def test_no_augmentation_is_the_identity_and_rescale_applies(rng):
    x = rng.random((10, 6, 6, 2)).astype(np.float32) * 255
    batches = list(ImageDataGenerator(rescale=1 / 255).flow(x, batch_size=4, shuffle=False))
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_allclose(np.concatenate(batches), x / 255, atol=1e-5)


def test_flips_and_shifts_are_exact_where_they_should_be(rng):
    x = rng.random((32, 5, 5, 1)).astype(np.float32)
    flipped = ImageDataGenerator(horizontal_flip=True).random_transform_batch(x)
    same = [np.allclose(a, b, atol=1e-5) for a, b in zip(flipped, x)]
    mirrored = [np.allclose(a, b[:, ::-1], atol=1e-5) for a, b in zip(flipped, x)]
    assert all(s or m for s, m in zip(same, mirrored)) and 5 < sum(mirrored) < 27
    x = np.arange(8, dtype=np.float32).reshape(1, 1, 8, 1).repeat(16, axis=0) + 1
    moved = ImageDataGenerator(width_shift_range=2, fill_mode="constant").random_transform_batch(x)
    # whole-pixel shifts (Keras: r=2 means -1, 0 or +1) sample pixel centres exactly
    seen = set()
    for row in moved[:, 0, :, 0]:
        matches = [s for s in (-1, 0, 1) if np.allclose(row, np.roll(x[0, 0, :, 0], s) * _kept(s), atol=1e-4)]
        assert len(matches) == 1, row
        seen.add(matches[0])
    assert len(seen) > 1


def _kept(shift: int) -> np.ndarray:
    mask = np.ones(8, np.float32)
    if shift > 0:
        mask[:shift] = 0
    elif shift < 0:
        mask[shift:] = 0
    return mask


def test_flow_keeps_labels_with_their_images_and_splits(rng):
    x = np.arange(20, dtype=np.float32).reshape(20, 1, 1, 1) * np.ones((1, 3, 3, 1), np.float32)
    y = np.arange(20)
    datagen = ImageDataGenerator(zoom_range=0.2, rotation_range=30, validation_split=0.25)
    with pytest.raises(ValueError, match="the training subset has 15 of the 20 classes in y"):
        datagen.flow(x, y, subset="training")  # y sorted by label: Keras's check
    training = datagen.flow(x, y, batch_size=8, seed=1, subset="training", ignore_class_split=True)
    validation = datagen.flow(x, y, batch_size=8, seed=1, subset="validation", ignore_class_split=True)
    assert len(training) == 2 and len(validation) == 1
    for images, labels in training:  # each image is constant, so any transform keeps its value
        np.testing.assert_allclose(images[:, 1, 1, 0], labels, atol=1e-4)
    # as in Keras, the validation subset is the first quarter
    assert sorted(np.concatenate([labels for _, labels in training])) == list(range(5, 20))
    assert sorted(validation[0][1]) == list(range(5))
    assert next(training)[0].shape[1:] == (3, 3, 1)  # Keras's endless next() works too
    with pytest.raises(ValueError, match="subset needs validation_split"):
        ImageDataGenerator().flow(x, y, subset="training")


def test_fit_on_a_flow(rng):
    x = rng.random((64, 8, 8, 1)).astype(np.float32)
    y = rng.integers(0, 2, 64)
    model = keras.Sequential([layers.Input(shape=(8, 8, 1)), layers.Flatten(), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    datagen = ImageDataGenerator(rotation_range=10, width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True)
    history = model.fit(datagen.flow(x, y, batch_size=16), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    history = model.fit(datagen.flow(x, y, batch_size=16), steps_per_epoch=2, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_seeded_flows_repeat():
    x = np.random.default_rng(0).random((8, 4, 4, 1)).astype(np.float32)
    datagen = ImageDataGenerator(rotation_range=40, zoom_range=0.3)
    first = np.concatenate(list(datagen.flow(x, batch_size=4, seed=3)))
    second = np.concatenate(list(datagen.flow(x, batch_size=4, seed=3)))
    np.testing.assert_array_equal(first, second)


def test_a_seeded_flow_started_at_an_epoch_makes_that_epochs_batches():
    x = np.random.default_rng(0).random((8, 4, 4, 1)).astype(np.float32)
    datagen = ImageDataGenerator(rotation_range=40, zoom_range=0.3)
    ran = datagen.flow(x, batch_size=4, seed=3)
    epochs = [np.concatenate(list(ran)) for _ in range(3)]  # each pass ends an epoch
    assert not np.array_equal(epochs[1], epochs[2])
    resumed = datagen.flow(x, batch_size=4, seed=3)
    resumed.start_at_epoch(2)  # what fit does when it resumes at epoch 2
    np.testing.assert_array_equal(np.concatenate(list(resumed)), epochs[2])
    ran.start_at_epoch(1)  # a flow already past that epoch (a second fit) keeps its own count
    assert ran.epoch == 3


def test_a_flow_trains_the_same_in_worker_threads_and_repeats_after_set_random_seed(rng):
    x = rng.random((64, 8, 8, 1)).astype(np.float32)
    y = rng.integers(0, 2, 64)
    datagen = ImageDataGenerator(rotation_range=20, width_shift_range=0.2, horizontal_flip=True)

    def trained(workers):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                layers.Input(shape=(8, 8, 1)),
                layers.Flatten(),
                layers.Dropout(0.3),
                layers.Dense(2, activation="softmax"),
            ]
        )
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        flow = datagen.flow(x, y, batch_size=8)  # no seed: drawn from torch's, after set_random_seed
        flow.workers = workers
        model.fit(flow, epochs=2, verbose=0)
        return model.get_weights()

    alone, threads, again = trained(1), trained(3), trained(1)
    for a, b, c in zip(alone, threads, again):
        np.testing.assert_array_equal(a, b)  # batches do not depend on which thread made them
        np.testing.assert_array_equal(a, c)
    keras.utils.set_random_seed(1)
    plain = datagen.flow(x, y, batch_size=64, shuffle=False)[0][0]
    assert not np.allclose(plain, x, atol=1e-3)  # the images really were transformed


def test_bad_arguments():
    with pytest.raises(ValueError, match="fill_mode must be one of"):
        ImageDataGenerator(fill_mode="wrap")
    with pytest.raises(ValueError, match="brightness_range must be a \\[lower, upper\\] pair"):
        ImageDataGenerator(brightness_range=0.5)
    with pytest.raises(ValueError, match="data_format must be 'channels_last'"):
        ImageDataGenerator(data_format="channels_first")
    with pytest.raises(ValueError, match="interpolation_order must be 0, 1 or 3"):
        ImageDataGenerator(interpolation_order=2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'rotation'"):
        ImageDataGenerator(rotation=10)
    x = np.zeros((4, 3, 3, 1), np.float32)
    with pytest.raises(ValueError, match="call fit\\(x_train\\) first"):
        ImageDataGenerator(featurewise_center=True).standardize(x)
    with pytest.raises(ValueError, match="ImageDataGenerator.flow: seed must be an int >= 0 or None; received seed=-1"):
        ImageDataGenerator().flow(x, seed=-1)
    with pytest.raises(ValueError, match="x has 4 images but sample_weight has 3 entries"):
        ImageDataGenerator().flow(x, np.zeros(4), sample_weight=np.ones(3))


def test_the_keras_cifar10_example_generator_runs_unchanged(rng):
    # keras/examples/cifar10_cnn.py spells out every argument, most of them off
    datagen = ImageDataGenerator(
        featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
        samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-06, rotation_range=0,
        width_shift_range=0.1, height_shift_range=0.1, shear_range=0.0, zoom_range=0.0, channel_shift_range=0.0,
        fill_mode="nearest", cval=0.0, horizontal_flip=True, vertical_flip=False, rescale=None,
        preprocessing_function=None, data_format=None, validation_split=0.0,
    )  # fmt: skip
    x = rng.random((16, 8, 8, 3)).astype(np.float32)
    datagen.fit(x)
    images, labels = datagen.flow(x, np.arange(16), batch_size=8)[0]
    assert images.shape == (8, 8, 8, 3) and labels.shape == (8,)


def test_the_sampling_grid_is_torchs_affine_grid():
    theta = torch.randn(5, 2, 3, generator=torch.Generator().manual_seed(0))
    expected = F.affine_grid(theta, [5, 1, 7, 9], align_corners=False)
    torch.testing.assert_close(_affine_grid(theta, 7, 9), expected, rtol=0, atol=1e-6)


def test_shear_is_an_exact_affine_map(rng):
    """On a ramp image (value = row), a shear by s reads row y - sin(s) * x at column x (pixels
    from the centre): the centre column stays, and each row becomes a line of slope -sin(s)."""
    size = 15
    ramp = np.repeat(np.arange(size, dtype=np.float32)[:, None], size, 1)[None, :, :, None].repeat(8, 0)
    sheared = ImageDataGenerator(shear_range=30).random_transform_batch(ramp)[..., 0]
    middle, inner = size // 2, slice(size // 2 - 3, size // 2 + 4)
    np.testing.assert_allclose(sheared[:, :, middle], ramp[:, :, middle, 0], atol=1e-4)
    slopes = []
    for image in sheared:
        columns = np.arange(size)[inner] - middle
        slope = np.polyfit(columns, image[middle, inner], 1)[0]
        np.testing.assert_allclose(image[middle, inner], middle + slope * columns, atol=1e-4)  # a straight line
        slopes.append(slope)
    assert max(abs(slope) for slope in slopes) <= np.sin(np.radians(30)) + 1e-6
    assert len({round(slope, 4) for slope in slopes}) > 4  # a new angle for each image


def test_brightness_and_channel_shift(rng):
    x = rng.integers(10, 200, (6, 5, 5, 3)).astype(np.float32)
    darker = ImageDataGenerator(brightness_range=(0.5, 0.5)).random_transform_batch(x)
    np.testing.assert_allclose(darker, x * 0.5, rtol=1e-6)
    brighter = ImageDataGenerator(brightness_range=[2.0, 2.0]).random_transform_batch(x)
    np.testing.assert_allclose(brighter, np.minimum(x * 2, 255), rtol=1e-6)  # clipped as PIL's enhancer does
    shifted = ImageDataGenerator(channel_shift_range=40).random_transform_batch(x)
    offsets = []
    for before, after in zip(x, shifted):  # one offset for every channel, kept in the image's range
        offset = np.median(after - before)
        np.testing.assert_allclose(after, np.clip(before + offset, before.min(), before.max()), atol=1e-4)
        offsets.append(offset)
    assert max(abs(o) for o in offsets) <= 40 and len(set(offsets)) == len(x)


def test_standardization_in_keras_order(rng):
    x = rng.random((40, 4, 4, 2)).astype(np.float32) * 255
    flipped = ImageDataGenerator(preprocessing_function=lambda image: image[::-1], rescale=1 / 255)
    np.testing.assert_allclose(flipped.standardize(x), x[:, ::-1] / 255, rtol=1e-6)  # per image, before rescale
    samplewise = ImageDataGenerator(samplewise_std_normalization=True).standardize(x)
    np.testing.assert_allclose(samplewise.mean(axis=(1, 2, 3)), 0, atol=1e-4)
    np.testing.assert_allclose(samplewise.std(axis=(1, 2, 3)), 1, atol=1e-4)

    featurewise = ImageDataGenerator(featurewise_std_normalization=True, rescale=0.5)
    featurewise.fit(x)
    mean, std = (x * 0.5).mean(axis=(0, 1, 2)), (x * 0.5).std(axis=(0, 1, 2))
    np.testing.assert_allclose(featurewise.mean.ravel(), mean, rtol=1e-5)
    np.testing.assert_allclose(featurewise.std.ravel(), std, rtol=1e-5)
    np.testing.assert_allclose(featurewise.standardize(x[:3]), (x[:3] * 0.5 - mean) / (std + 1e-6), rtol=1e-4)


def test_zca_whitening_matches_the_covariance_eigendecomposition(rng):
    mixing = rng.normal(size=(8, 8))
    x = (rng.normal(size=(500, 8)) @ mixing).reshape(500, 2, 2, 2).astype(np.float32)
    datagen = ImageDataGenerator(zca_whitening=True, zca_epsilon=1e-9)
    datagen.fit(x)
    centred = (x - x.mean(axis=(0, 1, 2))).reshape(500, 8).astype(np.float64)
    values, vectors = np.linalg.eigh(centred.T @ centred / 500)
    reference = vectors @ np.diag(values**-0.5) @ vectors.T
    np.testing.assert_allclose(datagen.zca_whitening_matrix, reference, rtol=1e-3, atol=1e-4)
    white = datagen.standardize(x).reshape(500, 8)
    np.testing.assert_allclose(white.T @ white / 500, np.eye(8), atol=1e-3)


def test_flow_sample_weights_list_shifts_and_save_to_dir(rng, tmp_path):
    x = rng.random((10, 6, 6, 3)).astype(np.float32)
    y, weights = np.arange(10), np.linspace(0.1, 1.0, 10)
    datagen = ImageDataGenerator(width_shift_range=[2, 3], interpolation_order=0)
    flow = datagen.flow(x, y, batch_size=4, sample_weight=weights, save_to_dir=tmp_path, save_prefix="aug")
    images, labels, batch_weights = flow[0]
    np.testing.assert_allclose(batch_weights, weights[labels])
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"aug_0_0_{n}.png" for n in range(4)]
    for image, label in zip(images, labels):  # whole-pixel shifts of 2 or 3, either way
        assert any(np.array_equal(image[:, 3], x[label][:, 3 + shift]) for shift in (-3, -2, 2, 3))
