"""Writes Keras Applications weight files in the layout of the published ones (legacy HDF5: the
`layer_names` attribute, one group per layer), from real Keras 3 models with random weights, and
Keras's predictions on a fixed input. tests/test_keras_files_with_keras.py (slow) loads each into
cnnkit's builder of the same name with `weights=path` and compares; the published files themselves
cannot be downloaded on these machines, and are the same layout at ImageNet size.

    KERAS_BACKEND=jax bench/.keras-env/bin/python bench/keras_applications_files.py FOLDER
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import h5py
import keras
import numpy as np
from keras.src.legacy.saving import legacy_h5_format

# builder, its arguments: small inputs keep the files and the run small
CASES = {
    "VGG16": {"include_top": False, "input_shape": (32, 32, 3)},
    "VGG19": {"include_top": True, "input_shape": (32, 32, 3), "classes": 10},
    "MobileNetV2": {"alpha": 0.35, "input_shape": (96, 96, 3), "classes": 7},
    "MobileNet": {"alpha": 0.25, "input_shape": (128, 128, 3), "classes": 5},
    "ResNet50": {"include_top": True, "input_shape": (64, 64, 3), "classes": 6},
    "ResNet50V2": {"include_top": False, "input_shape": (64, 64, 3), "pooling": "avg"},
    "InceptionV3": {"include_top": True, "input_shape": (75, 75, 3), "classes": 4},
}


def main() -> None:
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    for name, arguments in CASES.items():
        model = getattr(keras.applications, name)(weights=None, **arguments)
        weights = []
        for variable in model.weights:  # random, moving variances positive, so nothing hides a misplacement
            value = rng.standard_normal(variable.shape).astype("float32") * 0.1
            weights.append(np.abs(value) + 0.5 if "variance" in variable.path else value)
        model.set_weights(weights)
        x = rng.uniform(-1, 1, (2, *arguments["input_shape"])).astype("float32")
        np.save(folder / f"{name}_x.npy", x)
        np.save(folder / f"{name}_y.npy", np.asarray(model.predict(x, verbose=0)))
        with h5py.File(folder / f"{name}.h5", "w") as handle:
            legacy_h5_format.save_weights_to_hdf5_group(handle, model)
        print(f"{name}: {model.count_params()} parameters")
    (folder / "cases.json").write_text(
        json.dumps({n: {**a, "input_shape": list(a["input_shape"])} for n, a in CASES.items()})
    )


if __name__ == "__main__":
    main()
