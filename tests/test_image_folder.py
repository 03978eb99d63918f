"""cnnkit.datasets.image_folder and digits: real image files and scikit-learn's bundled digits."""

import shutil

import numpy as np
import pytest
from image_files import CLASSES, write_image_folder
from PIL import Image

import cnnkit
from cnnkit.datasets import DatasetError, digits, image_folder
from cnnkit.datasets.folder_batches import FolderBatches


def test_reads_classes_split_and_skips_bad_files(tmp_path):
    write_image_folder(tmp_path, per_class=10)
    clean = image_folder.load_data(tmp_path)
    assert clean.class_names == list(CLASSES) and clean.skipped == []
    assert clean.x_train.dtype == np.uint8 and clean.x_train.shape[1:] == (20, 24, 3)
    assert np.bincount(clean.y_test).tolist() == [2, 2, 2]  # a fifth of each class
    assert np.bincount(clean.y_train).tolist() == [8, 8, 8]

    (tmp_path / "circle" / "broken.png").write_bytes(b"not a png at all")
    whole = (tmp_path / "square" / "000.png").read_bytes()
    (tmp_path / "square" / "cut.png").write_bytes(whole[: len(whole) // 2])  # header fine, pixels missing
    (tmp_path / "stripes" / ".DS_Store").write_bytes(b"\0")  # hidden: ignored, not reported
    reported = []
    data = image_folder.load_data(tmp_path, on_skip=lambda path, why: reported.append(path))
    assert sorted(reported) == sorted([str(tmp_path / "circle" / "broken.png"), str(tmp_path / "square" / "cut.png")])
    assert [path for path, _ in data.skipped] == reported
    assert len(data.y_train) + len(data.y_test) == 30  # 32 files, the 2 bad ones left out


def test_split_and_pixels_do_not_depend_on_file_order(tmp_path):
    write_image_folder(tmp_path / "a", per_class=9)
    order = np.random.default_rng(5).permutation(27)
    write_image_folder(tmp_path / "b", per_class=9, order=order)
    first, second = image_folder.load_data(tmp_path / "a"), image_folder.load_data(tmp_path / "b")
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    again = image_folder.load_data(tmp_path / "a")
    np.testing.assert_array_equal(first.x_test, again.x_test)
    # the pixels are the files' own: one test image equals its file read with PIL
    files = sorted((tmp_path / "a").rglob("*.png"))
    originals = {np.asarray(Image.open(f)).tobytes() for f in files}
    assert any(image.tobytes() in originals for image in first.x_test)


def test_common_size_grey_detection_and_resizing(tmp_path):
    write_image_folder(tmp_path, per_class=4, size=(16, 16), grey=True)
    Image.fromarray(np.zeros((30, 10), np.uint8)).save(tmp_path / "circle" / "odd_size.png")
    data = image_folder.load_data(tmp_path)
    assert data.x_train.shape[1:] == (16, 16, 1)  # the most common size; grey since every file is
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(tmp_path / "square" / "colour.png")
    assert image_folder.load_data(tmp_path).x_train.shape[3] == 3
    sized = image_folder.load_data(tmp_path, image_size=(8, 12), channels=1, test_fraction=0)
    assert sized.x_train.shape == (14, 8, 12, 1) and len(sized.x_test) == 0


def test_folder_errors_name_the_folder(tmp_path):
    with pytest.raises(DatasetError, match="no such folder"):
        image_folder.load_data(tmp_path / "missing")
    with pytest.raises(DatasetError, match="no class sub-folders"):
        image_folder.load_data(tmp_path)
    write_image_folder(tmp_path / "train", per_class=2)
    (tmp_path / "test").mkdir()
    with pytest.raises(DatasetError, match="test: no class sub-folders"):  # a split folder whose test/ is empty
        image_folder.load_data(tmp_path)
    (tmp_path / "train").rename(tmp_path / "val")
    with pytest.raises(DatasetError, match="look like splits, not classes"):  # splits, but no train/
        image_folder.load_data(tmp_path)
    (tmp_path / "empty" / "a").mkdir(parents=True)
    with pytest.raises(DatasetError, match="no readable images"):
        image_folder.load_data(tmp_path / "empty")


def test_one_class_or_an_empty_class_is_refused(tmp_path):
    """One class would train to a meaningless "test accuracy 1.0"; an empty folder to a class with no images."""
    write_image_folder(tmp_path / "pets", per_class=3)
    first = sorted((tmp_path / "pets").iterdir())[0]
    shutil.copytree(first, tmp_path / "alone" / first.name)
    with pytest.raises(DatasetError, match=rf"only one class folder \({first.name}\); a classifier needs two"):
        image_folder.load_data(tmp_path / "alone")
    (tmp_path / "pets" / "zebra").mkdir()
    (tmp_path / "pets" / "zebra" / "notes.txt").write_text("not an image")
    with pytest.raises(DatasetError, match=r"class folder\(s\) zebra hold no readable images"):
        image_folder.load_data(tmp_path / "pets")


def test_digits_are_scikit_learns_scaled_to_bytes():
    from sklearn.datasets import load_digits

    (x, y), (xt, yt) = digits.load_data()
    assert x.shape == (1437, 8, 8) and xt.shape == (360, 8, 8) and x.dtype == np.uint8
    reference = load_digits()
    everything = np.concatenate([x, xt]).reshape(len(x) + len(xt), -1).astype(np.int64)
    labels = np.concatenate([y, yt])
    # every image is one of scikit-learn's, scaled 0..16 -> 0..255, with its own label
    scaled = np.rint(reference.data * 255 / 16).astype(np.int64)
    index = {row.tobytes(): label for row, label in zip(scaled, reference.target)}
    assert all(index[row.tobytes()] == label for row, label in zip(everything, labels))
    assert sorted(labels.tolist()) == sorted(reference.target.tolist())
    (x2, _), (xt2, _) = digits.load_data()
    np.testing.assert_array_equal(xt, xt2)  # a fixed split


def test_folder_batches_read_the_pixels_load_data_reads_and_reshuffle_each_epoch(tmp_path):
    write_image_folder(tmp_path, per_class=10, size=(20, 24))
    files = image_folder.list_files(tmp_path, test_fraction=0.0)
    in_memory = image_folder.read_images(files.train, files.image_shape, [])
    batches = FolderBatches(files.train, files.image_shape, batch_size=8, workers=2)
    assert len(batches) == 4 and batches.workers == 2

    def epochs():
        cnnkit.utils.set_random_seed(5)
        labels = []
        for _ in range(2):
            batches.on_epoch_begin()
            seen = [batches[i] for i in range(len(batches))]
            images = np.concatenate([x for x, _ in seen])
            np.testing.assert_array_equal(images, in_memory[0][batches.order].astype(np.float32) / 255)
            labels.append(np.concatenate([y for _, y in seen]))
            batches.on_epoch_end()
        return labels

    first = epochs()
    assert not np.array_equal(first[0], first[1])  # a new order each epoch
    for a, b in zip(first, epochs()):  # the same orders after the same seed
        np.testing.assert_array_equal(a, b)


def test_folder_batches_leave_out_truncated_files_and_never_return_an_empty_batch(tmp_path, capsys):
    write_image_folder(tmp_path, per_class=2, size=(20, 24))
    files = image_folder.list_files(tmp_path, test_fraction=0.0)
    broken = files.train[0][0]
    broken.write_bytes(broken.read_bytes()[:60])  # the header survives, the pixels do not
    batches = FolderBatches(files.train, files.image_shape, batch_size=1, shuffle=False, workers=1)
    x, y = batches[0]  # its only file is broken: the next batch stands in
    assert len(x) == 1 and y[0] == files.train[1][1]
    assert [path for path, _ in batches.skipped] == [str(broken)]
    batches[0]  # the next epoch meets the same file: listed and said once
    assert [path for path, _ in batches.skipped] == [str(broken)]
    assert capsys.readouterr().err.count(f"skipped {broken}: not a readable image") == 1
    for file, _ in files.train:
        file.write_bytes(file.read_bytes()[:60])
    with pytest.raises(ValueError, match="none of the 6 files could be read"):
        batches[0]
