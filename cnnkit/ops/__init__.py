"""Keras 3's `keras.ops` for custom losses, metrics and layers: NumPy-style functions (Keras's
names and arguments: `axis`, `keepdims`) on torch tensors, so they take part in autograd.

    def weighted_mse(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred) * ops.convert_to_tensor([1.0, 2.0]), axis=-1)

Axes are the tensor's own. A loss or metric sees (batch, ...) as Keras does; inside a layer's
`call` images are NCHW (torch's layout), so the channels axis there is 1, not -1 (a `Lambda`
layer's function, and an op on a functional graph's symbolic tensors, see them channels-last,
as in Keras). On symbolic tensors every op records a graph node (common/symbolic.py).

The files follow Keras's: numpy.py and arrays.py (its keras.ops.numpy), nn.py (keras.ops.nn),
image.py (keras.ops.image), linalg.py (keras.ops.linalg); all are here at the top level too.
"""

from cnnkit.ops import arrays, image, linalg, nn
from cnnkit.ops import numpy as numpy  # noqa: PLC0414  (keras.ops.numpy, as Keras names it)
from cnnkit.ops.arrays import *  # noqa: F403
from cnnkit.ops.nn import *  # noqa: F403
from cnnkit.ops.numpy import *  # noqa: F403
from cnnkit.ops.numpy import convert_to_numpy, convert_to_tensor  # noqa: F401  (named for readers)

__all__ = sorted({"image", "linalg", "nn", "numpy", *arrays.__all__, *nn.__all__, *numpy.__all__})
