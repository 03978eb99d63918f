"""Keras 3's `keras.ops` for custom losses, metrics and layers: NumPy-style functions (Keras's
names and arguments: `axis`, `keepdims`) on torch tensors, so they take part in autograd.

    def weighted_mse(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred) * ops.convert_to_tensor([1.0, 2.0]), axis=-1)

Axes are the tensor's own. A loss or metric sees (batch, ...) as Keras does; a user's layer's
`call`, a `Lambda` layer's function and an op on a functional graph's symbolic tensors see images
channels-last, as in Keras (cnnkit's own layers and a subclassed Model's `call` run on NCHW, torch's
layout). On symbolic tensors every op records a graph node (common/symbolic.py).

The files follow Keras's: numpy.py and arrays.py (its keras.ops.numpy), nn.py (keras.ops.nn),
image.py (keras.ops.image), linalg.py (keras.ops.linalg), math.py (keras.ops.math's Fourier
transforms); all are here at the top level too.
"""

from cnnkit.ops import arrays, image, linalg, math, nn
from cnnkit.ops import numpy as numpy  # noqa: PLC0414  (keras.ops.numpy, as Keras names it)
from cnnkit.ops.arrays import *  # noqa: F403
from cnnkit.ops.math import *  # noqa: F403
from cnnkit.ops.nn import *  # noqa: F403
from cnnkit.ops.numpy import *  # noqa: F403
from cnnkit.ops.numpy import convert_to_numpy, convert_to_tensor  # noqa: F401  (named for readers)

__all__ = sorted(
    {"image", "linalg", "math", "nn", "numpy", *arrays.__all__, *math.__all__, *nn.__all__, *numpy.__all__}
)
