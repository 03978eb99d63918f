"""Every Keras class lives where Keras keeps it: cnnkit/<family>/<Keras's file name>.py (a layer in
cnnkit/layers/<its family>/), so the name in a Keras traceback or guide leads to the file here."""

import inspect
import re

import pytest

import cnnkit
from cnnkit import callbacks, layers, losses, metrics, optimizers

# Keras's file names that its class names do not spell out.
LAYER_FILES = {
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "ThresholdedReLU": "thresholded_relu",
    "SpatialDropout1D": "spatial_dropout",
    "SpatialDropout2D": "spatial_dropout",
    "SimpleRNNCell": "simple_rnn",
    "GRUCell": "gru",
    "LSTMCell": "lstm",
    "StackedRNNCells": "stacked_rnn_cells",
    "Input": "input_layer",
    "Lambda": "lambda_layer",
}
FAMILIES = {
    "activations", "core", "convolutional", "pooling", "normalization", "regularization", "reshaping",
    "merging", "rnn", "preprocessing", "attention",
}  # fmt: skip
CALLBACK_FILES = {
    "CSVLogger": "csv_logger",
    "TensorBoard": "tensorboard",
    "TerminateOnNaN": "terminate_on_nan",
    "ReduceLROnPlateau": "reduce_lr_on_plateau",
}
METRIC_FILES = {
    "metric": ["Metric"],
    "reduction_metrics": ["Mean", "MeanMetricWrapper"],
    "accuracy_metrics": [
        "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
        "SparseTopKCategoricalAccuracy",
    ],
    "regression_metrics": ["MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError"],
    "confusion_metrics": [
        "AUC", "Precision", "Recall", "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
    ],
    "f_score_metrics": ["F1Score", "FBetaScore"],
}  # fmt: skip


def keras_file_name(class_name: str) -> str:
    """Conv2D -> conv2d, MaxPooling2D -> max_pooling2d, SimpleRNN -> simple_rnn: an underscore
    where a capital follows a lower-case letter, or ends a run of capitals before a word."""
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", class_name)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name).lower()


def public_classes(module) -> list[type]:
    return [value for name, value in vars(module).items() if inspect.isclass(value) and name == value.__name__]


@pytest.mark.parametrize("cls", public_classes(layers), ids=lambda cls: cls.__name__)
def test_each_layer_is_in_its_family_under_keras_file_name(cls):
    if cls in (layers.Layer, layers.KerasTensor):
        return  # the base class (layers/layer.py) and the symbolic tensor of the graph (layers/node.py)
    parts = cls.__module__.split(".")
    assert parts[:2] == ["cnnkit", "layers"] and len(parts) == 4 and parts[2] in FAMILIES, cls.__module__
    assert parts[3] == LAYER_FILES.get(cls.__name__, keras_file_name(cls.__name__)), cls.__module__


@pytest.mark.parametrize("cls", public_classes(callbacks), ids=lambda cls: cls.__name__)
def test_each_callback_has_a_file_of_its_own(cls):
    expected = CALLBACK_FILES.get(cls.__name__, keras_file_name(cls.__name__))
    assert cls.__module__ == f"cnnkit.callbacks.{expected}"


@pytest.mark.parametrize("cls", public_classes(optimizers), ids=lambda cls: cls.__name__)
def test_each_optimizer_has_a_file_of_its_own(cls):
    assert cls.__module__ == f"cnnkit.optimizers.{cls.__name__.lower()}"


def test_losses_and_metrics_are_in_keras_files():
    for cls in public_classes(losses):
        expected = "loss" if cls in (losses.Loss, losses.LossFunctionWrapper) else "losses"
        assert cls.__module__ == f"cnnkit.losses.{expected}", cls
    for file, names in METRIC_FILES.items():
        for name in names:
            assert getattr(metrics, name).__module__ == f"cnnkit.metrics.{file}", name
    assert {cls.__name__ for cls in public_classes(metrics)} == {n for names in METRIC_FILES.values() for n in names}


def test_schedules_are_in_keras_file():
    for cls in public_classes(cnnkit.optimizers.schedules):
        assert cls.__module__ == "cnnkit.optimizers.schedules.learning_rate_schedule"


def test_initializers_regularizers_and_constraints_are_in_keras_files():
    from cnnkit import constraints, initializers, regularizers

    constant = {"Constant", "Zeros", "Ones", "Identity"}  # Keras keeps IdentityInitializer there too
    for cls in public_classes(initializers):
        file = "initializer" if cls is initializers.Initializer else "constant_initializers"
        file = file if cls.__name__ in constant | {"Initializer"} else "random_initializers"
        assert cls.__module__ == f"cnnkit.initializers.{file}", cls
    for module, name in ((regularizers, "regularizers"), (constraints, "constraints")):
        for cls in public_classes(module):
            assert cls.__module__ == f"cnnkit.{name}.{name}", cls
