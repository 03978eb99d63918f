"""MNIST (LeCun, Cortes, Burges): 60,000 training and 10,000 test digits, 28x28 grey."""

from __future__ import annotations

from cnnkit.datasets.store import DatasetSpec, load_mnist_style

SPEC = DatasetSpec(
    name="mnist",
    title="MNIST",
    digests={
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    contents={  # SHA-256 of the decompressed data of each official file
        "train-images-idx3-ubyte.gz": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        "train-labels-idx1-ubyte.gz": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        "t10k-images-idx3-ubyte.gz": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "t10k-labels-idx1-ubyte.gz": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    },
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
)


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays: images (N, 28, 28), labels (N,).

    `path` may name a folder holding the four official IDX .gz files, or Keras's `mnist.npz`.
    """
    return load_mnist_style(SPEC, path)
