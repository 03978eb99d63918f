"""ImageDataGenerator.flow_from_directory and the image file helpers, on real PNG and JPEG files."""

import numpy as np
import pytest
from image_files import CLASSES, write_image_folder
from PIL import Image

import cnnkit as keras
from cnnkit import layers
from cnnkit.preprocessing.image import ImageDataGenerator, array_to_img, img_to_array, load_img, save_img


def decoded(path, mode="RGB", size=None) -> np.ndarray:
    """The reference: Pillow's own decoding (and nearest resize), as float32 (H, W, C)."""
    with Image.open(path) as image:
        image = image.convert(mode)
        if size is not None:
            image = image.resize((size[1], size[0]), Image.NEAREST)
        array = np.asarray(image, dtype=np.float32)
    return array[..., None] if array.ndim == 2 else array


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "shapes"
    write_image_folder(root, per_class=6, size=(20, 24))
    (root / ".ipynb_checkpoints").mkdir()  # hidden folders are not classes
    (root / "circle" / "._000.png").write_bytes(b"macOS metadata")  # hidden files are not images
    (root / "square" / ".thumbs").mkdir()
    (root / "square" / ".thumbs" / "000.png").write_bytes((root / "square" / "000.png").read_bytes())
    return root


def test_batches_hold_the_files_in_order_with_their_labels(folder, capsys):
    flow = ImageDataGenerator().flow_from_directory(
        folder, target_size=(20, 24), class_mode="sparse", batch_size=5, shuffle=False
    )
    assert "Found 18 images belonging to 3 classes." in capsys.readouterr().out
    assert flow.class_indices == {name: n for n, name in enumerate(CLASSES)}
    assert flow.samples == 18 and len(flow) == 4 and flow.image_shape == (20, 24, 3)
    assert flow.filenames[:2] == [f"{CLASSES[0]}/000.png", f"{CLASSES[0]}/001.png"]
    images = np.concatenate([x for x, _ in flow])
    labels = np.concatenate([y for _, y in flow])
    np.testing.assert_array_equal(labels, flow.classes)
    assert labels.dtype == np.float32 and list(flow.classes) == [0] * 6 + [1] * 6 + [2] * 6
    for image, name in zip(images, flow.filenames):
        np.testing.assert_array_equal(image, decoded(folder / name))
    first, _ = flow.next()  # Keras's iterator methods: next() runs on across epochs, reset() restarts
    flow.next()
    flow.reset()
    np.testing.assert_array_equal(next(flow)[0], first)


def test_class_modes_colour_modes_and_resizing(folder):
    datagen = ImageDataGenerator(rescale=1 / 255)
    x, y = datagen.flow_from_directory(folder, target_size=(10, 12), batch_size=18, shuffle=False)[0]
    np.testing.assert_array_equal(y, np.eye(3, dtype=np.float32)[[0] * 6 + [1] * 6 + [2] * 6])
    np.testing.assert_allclose(x[0], decoded(folder / "circle/000.png", size=(10, 12)) / 255, rtol=1e-6)
    grey = datagen.flow_from_directory(folder, color_mode="grayscale", class_mode=None, batch_size=4)[0]
    assert isinstance(grey, np.ndarray) and grey.shape == (4, 256, 256, 1)  # Keras's default size
    x, y = datagen.flow_from_directory(folder, target_size=(8, 8), class_mode="input", batch_size=3)[0]
    np.testing.assert_array_equal(x, y)
    binary = datagen.flow_from_directory(folder, target_size=(8, 8), classes=["square", "circle"], class_mode="binary")
    assert binary.class_indices == {"square": 0, "circle": 1} and binary.samples == 12
    assert set(np.concatenate([y for _, y in binary])) == {0.0, 1.0}


def test_validation_split_takes_the_first_files_of_each_class(folder):
    datagen = ImageDataGenerator(validation_split=0.5)
    training = datagen.flow_from_directory(folder, target_size=(8, 8), subset="training")
    validation = datagen.flow_from_directory(folder, target_size=(8, 8), subset="validation")
    assert training.samples == validation.samples == 9
    assert validation.filenames[:3] == [f"{CLASSES[0]}/00{n}.{'jpg' if n == 2 else 'png'}" for n in range(3)]
    assert not set(training.filenames) & set(validation.filenames)


def test_unreadable_files_are_left_out_when_listed_and_named_when_truncated(folder, capsys):
    (folder / "circle" / "notes.txt").write_text("not an image extension: ignored")
    broken = folder / "circle" / "broken.png"
    broken.write_bytes(b"not an image")
    flow = ImageDataGenerator().flow_from_directory(folder, target_size=(8, 8), shuffle=False, batch_size=6)
    assert f"skipped {broken}: not a readable image" in capsys.readouterr().err
    assert flow.samples == 18 and "circle/broken.png" not in flow.filenames
    truncated = folder / flow.filenames[0]
    truncated.write_bytes(truncated.read_bytes()[:60])  # the header survives, the pixels do not
    with pytest.raises(ValueError, match=f"flow_from_directory: cannot decode {truncated} .*remove or replace"):
        flow[0]


def test_bad_arguments(folder, tmp_path):
    datagen = ImageDataGenerator()
    with pytest.raises(ValueError, match="is not a folder"):
        datagen.flow_from_directory(tmp_path / "missing")
    with pytest.raises(ValueError, match="classes \\['dogs'\\] have no sub-folder"):
        datagen.flow_from_directory(folder, classes=["circle", "dogs"])
    with pytest.raises(ValueError, match="class_mode='binary' needs 2 classes"):
        datagen.flow_from_directory(folder, class_mode="binary")
    with pytest.raises(ValueError, match="class_mode must be one of"):
        datagen.flow_from_directory(folder, class_mode="onehot")
    with pytest.raises(ValueError, match="target_size must be \\(height, width\\)"):
        datagen.flow_from_directory(folder, target_size=(8,))
    with pytest.raises(ValueError, match="subset needs validation_split"):
        datagen.flow_from_directory(folder, subset="training")
    (tmp_path / "empty" / "cats").mkdir(parents=True)
    with pytest.raises(ValueError, match="no readable images"):
        datagen.flow_from_directory(tmp_path / "empty")


def test_fit_evaluate_and_predict_on_directory_flows(folder):
    """The Keras blog's small-data recipe: augmented training flow, rescaled validation flow."""
    keras.utils.set_random_seed(0)
    train_gen = ImageDataGenerator(rescale=1.0 / 255, shear_range=0.2, zoom_range=0.2, horizontal_flip=True)
    train = train_gen.flow_from_directory(
        folder, target_size=(20, 24), batch_size=6, classes=["circle", "stripes"], class_mode="binary"
    )
    test_gen = ImageDataGenerator(rescale=1.0 / 255)
    test = test_gen.flow_from_directory(
        folder, target_size=(20, 24), classes=["circle", "stripes"], class_mode="binary", shuffle=False
    )
    model = keras.Sequential(
        [layers.Input(shape=(20, 24, 3)), layers.Conv2D(4, 3, activation="relu"), layers.GlobalAveragePooling2D()]
        + [layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train, epochs=2, validation_data=test, verbose=0)
    assert len(history.history["val_accuracy"]) == 2
    predictions = model.predict(test, verbose=0)
    assert predictions.shape == (test.samples, 1)  # one row per file, in test.filenames' order
    expected = np.mean((predictions[:, 0] > 0.5) == test.classes)
    assert model.evaluate(test, verbose=0, return_dict=True)["accuracy"] == pytest.approx(expected)


def test_image_file_helpers(tmp_path):
    picture = np.random.default_rng(0).integers(0, 256, (30, 40, 3)).astype(np.uint8)
    Image.fromarray(picture).save(tmp_path / "wide.png")
    image = load_img(tmp_path / "wide.png")
    np.testing.assert_array_equal(img_to_array(image), picture.astype(np.float32))
    assert img_to_array(load_img(tmp_path / "wide.png", color_mode="grayscale")).shape == (30, 40, 1)
    assert img_to_array(image, data_format="channels_first").shape == (3, 30, 40)
    # keep_aspect_ratio: the centre 30x30 square, then resized; no stretching
    square = load_img(tmp_path / "wide.png", target_size=(15, 15), keep_aspect_ratio=True, interpolation="nearest")
    centre = Image.fromarray(picture[:, 5:35]).resize((15, 15), Image.NEAREST)
    np.testing.assert_array_equal(np.asarray(square), np.asarray(centre))
    save_img(tmp_path / "scaled.png", picture / 255.0)  # scale=True: 0..1 stretched back to 0..255
    np.testing.assert_allclose(np.asarray(Image.open(tmp_path / "scaled.png")), picture, atol=1)
    assert array_to_img(np.zeros((4, 4, 1))).mode == "L"
    with pytest.raises(ValueError, match="color_mode must be one of"):
        load_img(tmp_path / "wide.png", color_mode="cmyk")
    with pytest.raises(ValueError, match="1, 3 or 4 channels"):
        array_to_img(np.zeros((4, 4, 2)))


def test_keras2_generator_methods_are_fit_evaluate_and_predict(folder):
    """fit_generator & co. (the Keras blog's 2016 calls) give what fit, evaluate and predict give;
    their loading arguments reach the flow."""
    datagen = ImageDataGenerator(rescale=1.0 / 255, zoom_range=0.2)

    def trained(use_generator_methods: bool):
        keras.utils.set_random_seed(0)
        flow = datagen.flow_from_directory(folder, target_size=(12, 12), batch_size=6, class_mode="sparse", seed=1)
        model = keras.Sequential([layers.Input(shape=(12, 12, 3)), layers.Flatten(), layers.Dense(3, "softmax")])
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        if use_generator_methods:
            model.fit_generator(flow, steps_per_epoch=2, epochs=2, verbose=0, workers=3, max_queue_size=4)
            assert flow.workers == 3 and flow.max_queue_size == 4
            return model, model.evaluate_generator(flow, steps=2), model.predict_generator(flow, steps=1)
        model.fit(flow, steps_per_epoch=2, epochs=2, verbose=0)
        return model, model.evaluate(flow, steps=2, verbose=0), model.predict(flow, steps=1, verbose=0)

    (old, old_scores, old_predictions), (new, new_scores, new_predictions) = trained(True), trained(False)
    for a, b in zip(old.get_weights(), new.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(old_scores, new_scores, rtol=1e-6)
    assert old_predictions.shape == (6, 3)
    np.testing.assert_allclose(old_predictions, new_predictions, rtol=1e-6)


def test_backend_answers_what_tutorials_ask():
    from cnnkit import backend as K
    from cnnkit.losses.loss import EPSILON

    assert K.image_data_format() == "channels_last" and K.floatx() == "float32" and K.backend() == "torch"
    assert K.epsilon() == EPSILON == 1e-7  # what the losses clip probabilities by
    K.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="expected 'channels_last' or 'channels_first'; received 'nchw'"):
        K.set_image_data_format("nchw")


def test_training_on_a_folder_equals_training_on_its_arrays(tmp_path):
    """Without augmentation and shuffling, flow_from_directory feeds exactly the pixels and labels
    of the arrays the files were written from: the trained weights are bit-identical."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 8, 10, 12), dtype=np.uint8)  # 3 classes of 8 grey 10x12 images
    for label, name in enumerate(("a", "b", "c")):
        (tmp_path / name).mkdir()
        for n, image in enumerate(images[label]):
            Image.fromarray(image).save(tmp_path / name / f"{n}.png")
    x = images.reshape(24, 10, 12, 1).astype(np.float32) * np.float32(1 / 255)
    y = np.repeat(np.arange(3), 8)

    def trained(data, labels):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [layers.Input(shape=(10, 12, 1)), layers.Conv2D(2, 3, activation="relu"), layers.Flatten()]
            + [layers.Dense(3, activation="softmax")]
        )
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(data, labels, batch_size=None if labels is None else 6, epochs=2, shuffle=False, verbose=0)
        return model.get_weights()

    flow = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        tmp_path, target_size=(10, 12), color_mode="grayscale", class_mode="sparse", batch_size=6, shuffle=False
    )
    for a, b in zip(trained(flow, None), trained(x, y)):
        np.testing.assert_array_equal(a, b)
