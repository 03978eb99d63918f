"""Regularization layers (Keras's layers/regularization): the dropouts, Gaussian noise, activity regularization."""

from cnnkit.layers.regularization.activity_regularization import ActivityRegularization
from cnnkit.layers.regularization.alpha_dropout import AlphaDropout
from cnnkit.layers.regularization.dropout import Dropout
from cnnkit.layers.regularization.gaussian_dropout import GaussianDropout
from cnnkit.layers.regularization.gaussian_noise import GaussianNoise
from cnnkit.layers.regularization.spatial_dropout import SpatialDropout1D, SpatialDropout2D
