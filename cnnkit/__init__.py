"""cnnkit: Keras-style deep learning that runs natively on PyTorch.

`import cnnkit as keras` runs Keras code for image classification: channels-last shapes at the
API, real torch.nn.Modules running NCHW inside.
"""

from cnnkit import (
    activations,
    applications,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    distributed,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    preprocessing,
    random,
    regularizers,
    saving,
    utils,
    wrappers,
)
from cnnkit.layers import Input
from cnnkit.models import Model, Sequential
from cnnkit.variables import Variable

__version__ = "0.1.0"

__all__ = [
    "Input",
    "Model",
    "Sequential",
    "Variable",
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "distributed",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
    "random",
    "regularizers",
    "saving",
    "utils",
    "wrappers",
]
