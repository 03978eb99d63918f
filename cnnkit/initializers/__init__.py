"""Keras's weight initializers (`keras.initializers`), in Keras's files: initializer.py (the base
class, get, serialize), constant_initializers.py, random_initializers.py."""

from cnnkit.initializers.constant_initializers import Constant, Ones, Zeros
from cnnkit.initializers.initializer import Initializer, compute_fans, get, name_of, serialize
from cnnkit.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)
