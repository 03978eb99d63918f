"""Listing a folder of class sub-folders as Keras's *_dataset_from_directory functions do: the
files of each class (classes in sorted order, or `class_names`'s), labels from the folders or
given, one shuffle with `seed` (NumPy's RandomState, so a seed splits the files as Keras splits
them) and the last `validation_split` of the list as the validation subset."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from cnnkit import distributed
from cnnkit.preprocessing.image_files import image_files


def report_found(paths: list, names, verbose: bool) -> None:
    if verbose and distributed.is_main():
        found = f"Found {len(paths)} files" + (f" belonging to {len(names)} classes." if names is not None else ".")
        print(found, flush=True)


def shuffled_once(paths: list, labels: list, seed: int) -> tuple[list, list]:
    """Once, globally, as Keras does before it splits: the same seed splits the same way."""
    order = np.arange(len(paths))
    np.random.RandomState(seed).shuffle(order)
    return [paths[i] for i in order], [labels[i] for i in order]


def subset_of(paths: list, labels: list, part: str | None, validation_split, verbose: bool) -> tuple[list, list]:
    """The files of `part` ("training", "validation" or None for all)."""
    if part is None:
        return paths, labels
    validation_count = int(validation_split * len(paths))
    if verbose and distributed.is_main():
        count = validation_count if part == "validation" else len(paths) - validation_count
        print(f"Using {count} files for {part}.", flush=True)
    chosen = slice(-validation_count, None) if part == "validation" else slice(None, -validation_count)
    return paths[chosen], labels[chosen]


def check_split(where: str, validation_split, subset, shuffle: bool, seed) -> None:
    if validation_split is not None and not (isinstance(validation_split, float) and 0 < validation_split < 1):
        raise ValueError(f"{where}: validation_split must be a float in (0, 1); received {validation_split!r}")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(f"{where}: subset must be 'training', 'validation' or 'both'; received {subset!r}")
    if bool(validation_split) != (subset is not None):
        raise ValueError(f"{where}: validation_split and subset go together: give both or neither")
    if validation_split and shuffle and seed is None:
        raise ValueError(
            f"{where}: with validation_split and shuffle, give a seed, so that the training and the validation "
            "calls shuffle the files the same way and their subsets do not overlap"
        )
    if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0):
        raise ValueError(f"{where}: seed must be an int >= 0 or None; received seed={seed!r}")


def index_directory(where: str, directory: Path, labels, class_names, follow_links: bool, extensions):
    """(file paths, their labels, the class names): labels from the class sub-folders ("inferred"),
    from the given list (in the files' sorted order), or none (labels=None)."""
    if not directory.is_dir():
        raise ValueError(f"{where}: {directory} is not a folder")
    if labels == "inferred":
        folders = sorted(p.name for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
        if class_names is not None:
            missing = [name for name in class_names if name not in folders]
            if missing:
                raise ValueError(f"{where}: class_names {missing} have no sub-folder in {directory}; found {folders}")
            folders = list(class_names)  # their order, as given
        if not folders:
            raise ValueError(f"{where}: {directory} has no class sub-folders (expected e.g. {directory}/cats/1.jpg)")
        paths, label_list = [], []
        for label, name in enumerate(folders):
            files = image_files(directory / name, follow_links, extensions)
            paths += [str(path) for path in files]
            label_list += [label] * len(files)
        names = folders
    else:
        if class_names is not None:
            raise ValueError(f"{where}: class_names needs labels='inferred'; received labels={labels!r}")
        paths = [str(path) for path in image_files(directory, follow_links, extensions)]
        if labels is None:
            label_list, names = [None] * len(paths), None
        else:
            label_list = _given_labels(where, labels, len(paths), directory)
            names = [str(label) for label in sorted(set(label_list))]
    if not paths:
        raise ValueError(f"{where}: no files ({', '.join(sorted(extensions))}) in {directory}")
    return paths, label_list, names


def _given_labels(where: str, labels, count: int, directory: Path) -> list[int]:
    if not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(
            f"{where}: labels must be 'inferred', None or a list of int labels, one per file; received {labels!r}"
        )
    values = list(labels)
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0 for v in values):
        raise ValueError(f"{where}: labels must be ints >= 0")
    if len(values) != count:
        raise ValueError(f"{where}: {len(values)} labels for the {count} files in {directory}")
    return [int(v) for v in values]


def labels_batch(labels: np.ndarray, label_mode: str, num_classes: int):
    """A batch's labels as label_mode asks: int32, one-hot float32 ("categorical") or float32
    (batch, 1) ("binary")."""
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    if label_mode == "binary":
        return labels.astype(np.float32)[:, None]
    return labels


@dataclass
class Listing:
    """A folder's files in the order the datasets take them, with what their batches need."""

    directory: Path
    paths: list
    labels: list
    class_names: list | None
    label_mode: str | None
    num_classes: int
    seed: int


def list_folder(
    where: str, directory, labels, label_mode, class_names, follow_links, extensions, shuffle, seed, split, verbose
) -> Listing:
    """Check the split arguments, list the files, report them and shuffle them once. `split`:
    (validation_split, subset)."""
    directory = Path(directory)
    check_split(where, *split, shuffle, seed)
    if seed is None:
        seed = int(torch.randint(0, 10**6, ()))  # as Keras draws one; repeats after set_random_seed
    paths, label_list, names = index_directory(where, directory, labels, class_names, follow_links, extensions)
    if label_mode == "binary" and names is not None and len(names) != 2:
        raise ValueError(f"{where}: label_mode='binary' needs 2 classes; found {names}")
    if labels is None:
        label_mode = None
    report_found(paths, names, verbose)
    if shuffle:
        paths, label_list = shuffled_once(paths, label_list, seed)
    num_classes = 0 if label_list[0] is None else max(label_list) + 1
    return Listing(directory, paths, label_list, names, label_mode, num_classes, seed)


def split_datasets(where: str, listing: Listing, split, shuffle: bool, verbose: bool, make: Callable, keep=None):
    """The dataset of the subset asked for, or (training, validation) for subset="both".
    `make(paths, int32 labels or None, shuffle)` builds one; `keep(paths, labels)` may drop files."""
    validation_split, subset = split

    def one(part: str | None, shuffled: bool):
        part_paths, part_labels = subset_of(listing.paths, listing.labels, part, validation_split, verbose)
        if keep is not None:
            part_paths, part_labels = keep(part_paths, part_labels)
        if not part_paths:
            raise ValueError(f"{where}: no {part or ''} files left in {listing.directory}")
        labels_array = None if listing.label_mode is None else np.asarray(part_labels, dtype=np.int32)
        return make(part_paths, labels_array, shuffled)

    if subset == "both":
        return one("training", shuffle), one("validation", False)
    return one(subset, shuffle)
