"""Keras's weight initializers (`keras.initializers`), in Keras's files: initializer.py (the base
class, get, serialize), constant_initializers.py, random_initializers.py."""

from cnnkit.initializers.constant_initializers import Constant, Identity, Ones, Zeros
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

# Keras's lower-case names for the same classes (`initializers.glorot_uniform(seed=1)`), and Keras
# 3's other name for Identity.
constant, identity, ones, zeros, orthogonal = Constant, Identity, Ones, Zeros, Orthogonal
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, HeUniform
lecun_normal, lecun_uniform, variance_scaling = LecunNormal, LecunUniform, VarianceScaling
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
IdentityInitializer = Identity
