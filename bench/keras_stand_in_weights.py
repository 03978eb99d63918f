"""Stand-ins for the ImageNet weights files the public programs download, for an offline machine:
Keras 3 writes its own VGG19 and InceptionV3 (without the top, random weights) in the legacy
`.h5` format, under the names Keras Applications gives its published files, into
`$KERAS_HOME/models`. bench/keras_programs.py runs this under bench/.keras-env; both frameworks
then find "their download" in the cache. The programs run end to end on them; their pictures
mean nothing (the weights are not trained).

    KERAS_HOME=DIR bench/.keras-env/bin/python bench/keras_stand_in_weights.py
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import keras
from keras.src.legacy.saving import legacy_h5_format

FILES = {
    "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5": lambda: keras.applications.VGG19(
        weights=None, include_top=False
    ),
    "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5": lambda: keras.applications.InceptionV3(
        weights=None, include_top=False
    ),
}


def main() -> None:
    folder = Path(os.environ["KERAS_HOME"]) / "models"
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in FILES.items():
        if not (folder / name).exists():
            with h5py.File(folder / name, "w") as handle:
                legacy_h5_format.save_weights_to_hdf5_group(handle, build())
            print("wrote", folder / name)


if __name__ == "__main__":
    main()
