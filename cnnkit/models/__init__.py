"""Models: Sequential, the functional Model(inputs, outputs), and their compile/fit/evaluate/predict."""

from cnnkit.layers.core.input_layer import Input  # Keras 2 scripts import it from here too
from cnnkit.models.cloning import clone_model
from cnnkit.models.functional import Functional
from cnnkit.models.model import Model
from cnnkit.models.saving import load_model
from cnnkit.models.sequential import Sequential
from cnnkit.models.serialization import model_from_json

__all__ = ["Functional", "Input", "Model", "Sequential", "clone_model", "load_model", "model_from_json"]
