"""ImageDataGenerator: Keras's arguments, batched transforms, and fit on its flow."""

import numpy as np
import pytest

import cnnkit as keras
from cnnkit import layers
from cnnkit.preprocessing.image import ImageDataGenerator


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
    training = datagen.flow(x, y, batch_size=8, seed=1, subset="training")
    validation = datagen.flow(x, y, batch_size=8, seed=1, subset="validation")
    assert len(training) == 2 and len(validation) == 1
    for images, labels in training:  # each image is constant, so any transform keeps its value
        np.testing.assert_allclose(images[:, 1, 1, 0], labels, atol=1e-4)
    assert sorted(np.concatenate([labels for _, labels in training])) == list(range(15))
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
    with pytest.raises(TypeError, match="unsupported argument\\(s\\) zca_whitening"):
        ImageDataGenerator(zca_whitening=True)
