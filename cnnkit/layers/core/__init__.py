"""Core layers (Keras's layers/core): Dense, Embedding, Identity, Input, Lambda, Masking. Also Keras 2's
`keras.layers.core` address, so the names older tutorials import from it (Dropout, Flatten, ...) are here too."""

from cnnkit.layers.activations import Activation
from cnnkit.layers.core.dense import Dense
from cnnkit.layers.core.embedding import Embedding
from cnnkit.layers.core.identity import Identity
from cnnkit.layers.core.input_layer import Input, InputLayer
from cnnkit.layers.core.lambda_layer import Lambda
from cnnkit.layers.core.masking import Masking
from cnnkit.layers.core.symbolic_op import SymbolicOp
from cnnkit.layers.layer import Layer
from cnnkit.layers.preprocessing.rescaling import Rescaling
from cnnkit.layers.regularization import (
    ActivityRegularization,
    AlphaDropout,
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
)
from cnnkit.layers.reshaping import Flatten, Permute, RepeatVector, Reshape
