"""scikit-learn's bundled handwritten digits (UCI "optdigits"): 1,797 images, 8x8 grey, offline.

The images come with scikit-learn (no download), as counts 0..16 of set pixels in 4x4 blocks;
`load_data()` scales them to uint8 0..255 so they look like every other `load_data()`.
"""

from __future__ import annotations

import numpy as np

from cnnkit.datasets.idx import DatasetError

TEST_COUNT = 360  # a fifth, as a fixed split: the same images are always the test set
SPLIT_SEED = 0

CLASS_NAMES = tuple(str(digit) for digit in range(10))


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)): uint8 images (N, 8, 8), labels (N,); 1,437 + 360.

    `path` is accepted for the same call shape as the other data sets and must be None.
    """
    if path is not None:
        raise DatasetError(f"digits come with scikit-learn and take no path; received path={path!r}")
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DatasetError("the digits data set needs scikit-learn: pip install scikit-learn") from None
    bunch = load_digits()
    images = np.rint(bunch.images * (255 / 16)).astype(np.uint8)
    labels = bunch.target.astype(np.uint8)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    test, train = order[:TEST_COUNT], order[TEST_COUNT:]
    return (images[train], labels[train]), (images[test], labels[test])
