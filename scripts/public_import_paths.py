"""Writes tests/data/public_import_paths.txt: every public import path of cnnkit, one
`module:name` a line, so that tests/test_import_paths.py can check that a reorganisation of the
files keeps each one working.

Public means what users import: the names in the `__all__` of cnnkit's Keras-named modules, and
the Keras 2 module addresses that old tutorials import from (`keras.layers.core`,
`keras.utils.np_utils`, ...), with the Keras names each one gives. Files that only implement
(cnnkit/training/loop.py, cnnkit/layers/convolutional/conv2d.py) are not addresses and may move.

Run it only to add paths: `.venv/bin/python scripts/public_import_paths.py`; a path that disappears
from the file is a path users lose.
"""

from __future__ import annotations

import importlib
from pathlib import Path

# Modules with an __all__: their names are the public surface (the CLI and the report are used
# through the command line, not imported).
MODULES_WITH_ALL = [
    "cnnkit",
    "cnnkit.applications",
    "cnnkit.applications.resnet50",
    "cnnkit.applications.vgg16",
    "cnnkit.applications.vgg19",
    "cnnkit.backend",
    "cnnkit.callbacks",
    "cnnkit.config",
    "cnnkit.constraints",
    "cnnkit.datasets",
    "cnnkit.layers",
    "cnnkit.layers.advanced_activations",
    "cnnkit.layers.embeddings",
    "cnnkit.layers.experimental",
    "cnnkit.layers.experimental.preprocessing",
    "cnnkit.losses",
    "cnnkit.metrics",
    "cnnkit.models",
    "cnnkit.ops",
    "cnnkit.optimizers",
    "cnnkit.preprocessing",
    "cnnkit.preprocessing.image",
    "cnnkit.preprocessing.sequence",
    "cnnkit.preprocessing.text",
    "cnnkit.regularizers",
    "cnnkit.saving",
    "cnnkit.utils",
    "cnnkit.utils.data_utils",
    "cnnkit.utils.generic_utils",
    "cnnkit.utils.np_utils",
    "cnnkit.wrappers",
    "cnnkit.wrappers.scikit_learn",
    "cnnkit.layers.noise",
    "cnnkit.layers.convolutional_recurrent",
]

# Keras 2 addresses without an __all__ of their own: each gives the names of its package's
# __all__ that it holds today.
KERAS_ADDRESSES = {
    "cnnkit.layers.convolutional": "cnnkit.layers",
    "cnnkit.layers.core": "cnnkit.layers",
    "cnnkit.layers.merge": "cnnkit.layers",
    "cnnkit.layers.normalization": "cnnkit.layers",
    "cnnkit.layers.pooling": "cnnkit.layers",
    "cnnkit.layers.recurrent": "cnnkit.layers",
    "cnnkit.layers.wrappers": "cnnkit.layers",
    "cnnkit.applications.imagenet_utils": "cnnkit.applications.imagenet_utils",
    "cnnkit.datasets.mnist": "cnnkit.datasets.mnist",
    "cnnkit.datasets.fashion_mnist": "cnnkit.datasets.fashion_mnist",
    "cnnkit.datasets.cifar10": "cnnkit.datasets.cifar10",
    "cnnkit.datasets.imdb": "cnnkit.datasets.imdb",
    "cnnkit.datasets.reuters": "cnnkit.datasets.reuters",
    "cnnkit.activations": "cnnkit.activations",
    "cnnkit.initializers": "cnnkit.initializers",
    "cnnkit.mixed_precision": "cnnkit.mixed_precision",
    "cnnkit.random": "cnnkit.random",
}

# What a module without __all__ offers when it is its own reference: its public functions and classes.
KERAS_FUNCTIONS = {"load_data", "get_word_index", "preprocess_input", "decode_predictions"}


def public_names(module_name: str, reference: str) -> list[str]:
    module = importlib.import_module(module_name)
    if module_name in MODULES_WITH_ALL:
        return sorted(module.__all__)
    if reference != module_name:
        return sorted(n for n in importlib.import_module(reference).__all__ if hasattr(module, n))
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (name in KERAS_FUNCTIONS or getattr(value, "__module__", None) == module_name)
        and callable(value)
    )


def main() -> None:
    lines = []
    for module_name in MODULES_WITH_ALL:
        lines += [f"{module_name}:{name}" for name in public_names(module_name, module_name)]
    for module_name, reference in KERAS_ADDRESSES.items():
        lines += [f"{module_name}:{name}" for name in public_names(module_name, reference)]
    target = Path(__file__).resolve().parent.parent / "tests" / "data" / "public_import_paths.txt"
    kept = target.read_text().split() if target.exists() else []  # a path once public stays listed
    lines += kept
    target.write_text("\n".join(sorted(set(lines))) + "\n")
    print(f"{len(set(lines))} import paths written to {target}")


if __name__ == "__main__":
    main()
