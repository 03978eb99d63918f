"""Fashion-MNIST (Zalando Research): 60,000 + 10,000 28x28 grey images of 10 kinds of clothing."""

from __future__ import annotations

from cnnkit.datasets.store import DatasetSpec, load_mnist_style

SPEC = DatasetSpec(
    name="fashion-mnist",
    title="Fashion-MNIST",
    digests={
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
    contents={  # SHA-256 of the decompressed data of each official file
        "train-images-idx3-ubyte.gz": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
        "train-labels-idx1-ubyte.gz": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
        "t10k-images-idx3-ubyte.gz": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
        "t10k-labels-idx1-ubyte.gz": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
    },
    mirrors=(
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ),
    debian_package="dataset-fashion-mnist",
)

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays: images (N, 28, 28), labels (N,).

    `path` may name a folder holding the four official IDX .gz files, or a Keras .npz file.
    """
    return load_mnist_style(SPEC, path)
