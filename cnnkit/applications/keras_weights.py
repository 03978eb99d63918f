"""`weights="imagenet"` for the networks cnnkit builds layer for layer as Keras does (InceptionV3,
the ResNet V2s): Keras's own published ImageNet files, which load by layer name.

The file is looked for in Keras's cache (`$KERAS_HOME/models/`, by default `~/.keras/models/`),
where Keras keeps the same download, so weights Keras fetched before are found without a
download; otherwise `get_file` downloads it there and checks Keras's MD5 before keeping it. As
with torchvision's files (imagenet_weights.py), a file already in the cache is taken as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"

# Model name -> (the folder's URL, file name stem, MD5 with the top, MD5 without it), as Keras publishes them.
FILES = {
    "InceptionV3": (
        BASE_URL + "inception_v3/",
        "inception_v3_weights_tf_dim_ordering_tf_kernels",
        "9a0d58056eeedaa3f26cb7ebd46da564",
        "bcbd6486424b2319ff4ef7d526e38f63",
    ),
    "ResNet50V2": (
        BASE_URL + "resnet/",
        "resnet50v2_weights_tf_dim_ordering_tf_kernels",
        "3ef43a0b657b3be2300d5770ece849e0",
        "fac2f116257151a9d068a22e544a4917",
    ),
    "ResNet101V2": (
        BASE_URL + "resnet/",
        "resnet101v2_weights_tf_dim_ordering_tf_kernels",
        "6343647c601c52e1368623803854d971",
        "c0ed64b8031c3730f411d2eb4eea35b5",
    ),
    "ResNet152V2": (
        BASE_URL + "resnet/",
        "resnet152v2_weights_tf_dim_ordering_tf_kernels",
        "a49b44d1979771252814e80f8ec446f9",
        "ed17cf2e0169df9d443503ef94b23b33",
    ),
    # Keras 2.3's ResNet50 (resnet50_keras2.py), named as Keras 2 named its layers
    "ResNet50 (Keras 2)": (
        "https://github.com/fchollet/deep-learning-models/releases/download/v0.2/",
        "resnet50_weights_tf_dim_ordering_tf_kernels",
        "a7b3fe01876f51b976af0dea6bc144eb",
        "a268eb855778b3df3c7506639542a6af",
    ),
}


def imagenet_file(name: str, include_top: bool) -> str:
    """The local path of Keras's ImageNet weights for `name` (with or without the top)."""
    from cnnkit.utils.downloads import get_file

    folder_url, stem, top_md5, notop_md5 = FILES[name]
    file_name = f"{stem}.h5" if include_top else f"{stem}_notop.h5"
    cached = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser() / "models" / file_name
    if cached.is_file():
        return str(cached)
    try:
        return get_file(
            file_name,
            folder_url + file_name,
            cache_subdir="models",
            file_hash=top_md5 if include_top else notop_md5,
        )
    except (OSError, ValueError) as error:
        raise ValueError(
            f"{name}: Keras's ImageNet weights {file_name} are not in {cached.parent} and could not be downloaded "
            f"({str(error).splitlines()[0]}); put that file there, or pass weights=PATH"
        ) from None
