"""keras.utils.text_dataset_from_directory: batches of texts read from a folder of class
sub-folders of `.txt` files (the raw IMDB reviews, say), for TextVectorization and an LSTM.

    train, val = text_dataset_from_directory("aclImdb/train", validation_split=0.2, subset="both", seed=1337)
    vectorize.adapt(train.map(lambda texts, labels: texts))

Files are listed, shuffled once with `seed` and split exactly as image_dataset_from_directory's
(and Keras's); each batch is (texts, labels), texts a NumPy array of str (Keras gives tf.string
tensors of bytes), decoded as UTF-8, cut to `max_length` characters when given.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnnkit.datasets.folder_batches import default_workers
from cnnkit.preprocessing.chained_batches import ChainedBatches
from cnnkit.preprocessing.directory_index import labels_batch, list_folder, split_datasets
from cnnkit.preprocessing.flow import Flow
from cnnkit.preprocessing.image_utils import check_choice

WHERE = "text_dataset_from_directory"
LABEL_MODES = ("int", "categorical", "binary", None)


class TextDataset(ChainedBatches, Flow):
    WHERE = WHERE

    def __init__(self, paths, labels, settings: dict, batch_size: int, shuffle: bool, seed) -> None:
        self.file_paths, self.labels = list(paths), labels
        self.class_names, self.label_mode = settings["class_names"], settings["label_mode"]
        self.num_classes, self.max_length = settings["num_classes"], settings["max_length"]
        super().__init__(None, len(self.file_paths), batch_size, shuffle, seed, default_workers(), (None, "", "png"))

    def _text(self, index: int) -> str:
        path = self.file_paths[index]
        try:
            text = Path(path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"{WHERE}: cannot read {path} as UTF-8 text ({error})") from None
        return text if self.max_length is None else text[: self.max_length]

    def make_batch(self, picked, random):
        texts = np.empty(len(picked), dtype=object)
        texts[:] = [self._text(index) for index in picked]
        if self.label_mode is None:
            return texts
        return texts, labels_batch(self.labels[picked], self.label_mode, self.num_classes)


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode: str | None = "int",
    class_names=None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed=None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    verbose: bool = True,
):
    """Batches (texts, labels) from the `.txt` files under `directory`; see the module's docstring.
    With subset="both", a pair (training, validation)."""
    directory = Path(directory)
    check_choice(label_mode, LABEL_MODES, "label_mode", WHERE)
    if batch_size is None:
        raise ValueError(f"{WHERE}: batch_size=None (single texts, for tf.data's .batch()) is not supported")
    if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
        raise ValueError(f"{WHERE}: max_length must be None or an int >= 1; received max_length={max_length!r}")
    split = (validation_split, subset)
    listing = list_folder(
        WHERE, directory, labels, label_mode, class_names, follow_links, {".txt"}, shuffle, seed, split, verbose
    )
    settings = {
        "class_names": listing.class_names,
        "label_mode": listing.label_mode,
        "num_classes": listing.num_classes,
        "max_length": max_length,
    }

    def make(paths, labels_array, shuffled: bool) -> TextDataset:
        return TextDataset(paths, labels_array, settings, batch_size, shuffled, listing.seed)

    return split_datasets(WHERE, listing, split, shuffle, verbose, make)
