"""image_dataset_from_directory on real PNG and JPEG files: Keras's listing, shuffle and split,
the batches against Pillow's own decoding, the tf.data methods scripts chain, and training on it."""

import numpy as np
import pytest
import torch
from image_files import CLASSES, write_image_folder
from PIL import Image

import cnnkit as keras
from cnnkit import layers
from cnnkit.utils import image_dataset_from_directory


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "shapes"
    write_image_folder(root, per_class=10, size=(20, 24))
    (root / ".ipynb_checkpoints").mkdir()  # hidden folders are not classes
    (root / "circle" / "notes.txt").write_text("not an image")  # other extensions are not listed
    return root


def keras_order(root, seed):
    """The reference listing: each class folder's files in sorted order, then NumPy's RandomState
    shuffle of the whole list with the seed (what Keras's index_directory does)."""
    paths, labels = [], []
    for label, name in enumerate(CLASSES):
        files = sorted(str(p) for p in (root / name).iterdir() if p.suffix in (".png", ".jpg"))
        paths += files
        labels += [label] * len(files)
    order = np.arange(len(paths))
    np.random.RandomState(seed).shuffle(order)
    return [paths[i] for i in order], [labels[i] for i in order]


def pillow(path, size, mode="RGB"):
    with Image.open(path) as image:
        array = np.asarray(image.convert(mode).resize((size[1], size[0]), Image.BILINEAR), dtype=np.float32)
    return array[..., None] if array.ndim == 2 else array


def test_the_split_is_keras_s_and_batches_hold_the_files(folder, capsys):
    train, val = image_dataset_from_directory(
        folder, validation_split=0.2, subset="both", seed=7, image_size=(16, 12), batch_size=4
    )
    out = capsys.readouterr().out
    assert "Found 30 files belonging to 3 classes." in out
    assert "Using 24 files for training." in out and "Using 6 files for validation." in out
    paths, labels = keras_order(folder, 7)
    assert train.file_paths == paths[:24] and val.file_paths == paths[24:]
    assert train.class_names == list(CLASSES) and len(train) == 6 and len(val) == 2

    images, batch_labels = next(iter(val))  # validation batches are not reshuffled: the file order
    assert images.shape == (4, 16, 12, 3) and images.dtype == np.float32 and batch_labels.dtype == np.int32
    np.testing.assert_array_equal(batch_labels, labels[24:28])
    for image, path in zip(images, val.file_paths[:4]):
        np.testing.assert_array_equal(image, pillow(path, (16, 12)))


def test_training_batches_are_reshuffled_every_epoch_and_repeat_with_the_seed(folder):
    def two_epochs():
        train = image_dataset_from_directory(
            folder, seed=3, image_size=(8, 8), batch_size=30, validation_split=0.5, subset="training", verbose=False
        )
        return [batch[0] for batch in train] + [batch[0] for batch in train]

    first, second = two_epochs(), two_epochs()
    assert not np.array_equal(first[0], first[1])  # a new order in the second epoch
    np.testing.assert_array_equal(np.sort(first[0], axis=0), np.sort(first[1], axis=0))  # of the same images
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_label_modes_colour_modes_and_given_labels(folder):
    common = {"image_size": (10, 10), "batch_size": 30, "shuffle": False, "verbose": False}
    _, one_hot = next(iter(image_dataset_from_directory(folder, label_mode="categorical", **common)))
    np.testing.assert_array_equal(one_hot, np.eye(3, dtype=np.float32)[np.repeat(np.arange(3), 10)])
    grey = next(iter(image_dataset_from_directory(folder, label_mode=None, color_mode="grayscale", **common)))
    assert grey.shape == (30, 10, 10, 1)  # images alone
    given = list(range(30))[::-1]
    dataset = image_dataset_from_directory(folder, labels=[v % 2 for v in given], label_mode="binary", **common)
    assert dataset.class_names == ["0", "1"]
    _, binary = next(iter(dataset))
    assert binary.shape == (30, 1) and binary.dtype == np.float32
    picked = image_dataset_from_directory(folder, class_names=["stripes", "circle"], **common)
    assert picked.class_names == ["stripes", "circle"] and len(picked.file_paths) == 20
    assert all("stripes" in p for p in picked.file_paths[:10])
    unlabelled = image_dataset_from_directory(folder, labels=None, **common)
    assert unlabelled.class_names is None and len(unlabelled.file_paths) == 30


def test_crop_and_pad_keep_the_aspect_ratio(tmp_path):
    wide = np.zeros((10, 40, 3), np.uint8)
    wide[:, :20] = 255  # left half white
    (tmp_path / "a").mkdir()
    Image.fromarray(wide).save(tmp_path / "a" / "wide.png")
    common = {"image_size": (10, 10), "batch_size": 1, "verbose": False, "interpolation": "nearest"}
    padded = next(iter(image_dataset_from_directory(tmp_path, pad_to_aspect_ratio=True, **common)))[0][0]
    assert padded[:3].max() == 0 and padded[-3:].max() == 0  # black bands above and below
    np.testing.assert_array_equal(padded[4:6, :5], 255)
    cropped = next(iter(image_dataset_from_directory(tmp_path, crop_to_aspect_ratio=True, **common)))[0][0]
    np.testing.assert_array_equal(cropped[:, :5], 255)  # the centre 10x10 of the picture, unstretched
    np.testing.assert_array_equal(cropped[:, 5:], 0)


def test_take_map_and_cache(folder):
    dataset = image_dataset_from_directory(folder, image_size=(8, 8), batch_size=8, shuffle=False, verbose=False)
    assert len(list(dataset.take(2))) == 2 and dataset.take(2).class_names == list(CLASSES)
    rest = dataset.skip(1)  # 4 batches of 8 (the last of 6): the test set cut off a validation set
    assert len(rest) == 3 and len(dataset.skip(9)) == 0
    np.testing.assert_array_equal(next(iter(rest))[0], dataset[1][0])
    scaled = dataset.map(lambda images, labels: (images / 255.0, labels)).prefetch(2)
    (small, _), (large, _) = next(iter(scaled)), next(iter(dataset))
    np.testing.assert_allclose(small, large / 255.0)
    with_layer = dataset.map(lambda images, labels: (layers.Rescaling(1 / 255.0)(images), labels))
    rescaled = next(iter(with_layer))[0]  # a layer on NumPy batches returns them channels-last
    assert isinstance(rescaled, torch.Tensor) and rescaled.shape == (8, 8, 8, 3)
    np.testing.assert_allclose(rescaled.numpy(), large / 255.0, rtol=1e-6)

    cached = dataset.cache()
    before = [batch[0] for batch in cached]
    for path in dataset.file_paths:  # every image is in memory now: no file is read again
        Image.new("RGB", (3, 3)).save(path)
    for a, b in zip(before, (batch[0] for batch in cached)):
        np.testing.assert_array_equal(a, b)


def test_training_on_it_equals_training_on_the_same_arrays(folder):
    dataset = image_dataset_from_directory(folder, image_size=(12, 12), batch_size=6, shuffle=False, verbose=False)
    x = np.concatenate([images for images, _ in dataset])
    y = np.concatenate([labels for _, labels in dataset])

    def trained(data, labels=None):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                layers.Input((12, 12, 3)),
                layers.Rescaling(1 / 255.0),
                layers.Conv2D(4, 3, activation="relu"),
                layers.GlobalAveragePooling2D(),
                layers.Dense(3, activation="softmax"),
            ]
        )
        model.compile("sgd", "sparse_categorical_crossentropy")
        model.fit(data, labels, batch_size=None if labels is None else 6, epochs=2, shuffle=False, verbose=0)
        return model.get_weights()

    for a, b in zip(trained(dataset), trained(x, y)):
        np.testing.assert_array_equal(a, b)


def test_bad_files_and_arguments_get_one_line_errors(folder, capsys):
    (folder / "circle" / "broken.png").write_bytes(b"not a png")  # unreadable header: left out
    dataset = image_dataset_from_directory(folder, image_size=(8, 8), verbose=False, shuffle=False)
    assert "skipped" in capsys.readouterr().err and len(dataset.file_paths) == 30
    data = (folder / "square" / "000.png").read_bytes()
    (folder / "square" / "000.png").write_bytes(data[: len(data) // 2])  # truncated: found when decoded
    with pytest.raises(ValueError, match="image_dataset_from_directory: cannot decode .*000.png"):
        list(image_dataset_from_directory(folder, image_size=(8, 8), verbose=False, shuffle=False))
    for arguments, message in [
        ({"validation_split": 0.2, "subset": "training"}, "give a seed"),
        ({"validation_split": 0.2}, "validation_split and subset go together"),
        ({"label_mode": "binary"}, "needs 2 classes"),
        ({"interpolation": "gaussian"}, "interpolation must be one of"),
        ({"image_size": (0, 8)}, "image_size must be"),
        ({"class_names": ["circle", "hexagon"]}, "class_names \\['hexagon'\\] have no sub-folder"),
        ({"labels": [0, 1]}, "2 labels for the 31 files"),
    ]:
        with pytest.raises(ValueError, match=f"image_dataset_from_directory: .*{message}"):
            image_dataset_from_directory(folder, verbose=False, **arguments)
    with pytest.raises(ValueError, match="is not a folder"):
        image_dataset_from_directory(folder / "missing")


def test_keras_2_address_and_torch_generator_seeding(folder):
    assert keras.preprocessing.image_dataset_from_directory is image_dataset_from_directory
    torch.manual_seed(5)
    a = image_dataset_from_directory(folder, image_size=(8, 8), verbose=False).file_paths
    torch.manual_seed(5)
    assert image_dataset_from_directory(folder, image_size=(8, 8), verbose=False).file_paths == a
