"""One case per layer in cnnkit.layers.__all__: minimal constructor arguments and an input shape,
shared by tests/test_layer_sweep.py and scripts/keras_layer_references.py (which runs the same cases
on real Keras 3 to freeze its outputs). Plain data: this file imports neither cnnkit nor Keras.

A value ("layer", "Dense", {...}) in the arguments is a layer built by the library under test; a
list of shapes means a layer with several inputs. A new layer without a case fails the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Case:
    arguments: dict
    shape: tuple | list  # one input's shape without the batch axis (channels-last), or a list for several
    integer_input: bool = False  # token ids (Embedding) instead of normal floats
    random_in_training: bool = False  # training mode draws noise or uses batch statistics
    keras: bool = True  # Keras 3 has the same layer, compared against its frozen outputs
    positional: bool = False  # several inputs as positional arguments, layer(query, value), not one list
    note: str = ""  # why a case differs from the plain checks
    skip: set = field(
        default_factory=set
    )  # checks that do not apply: "save", "backward", "config", "weights", "keras_output"


def call(layer, given, case: Case, **keywords):
    """The layer called on the case's input(s), as Keras programs call it."""
    return layer(*given, **keywords) if case.positional else layer(given, **keywords)


def cell(name: str, **arguments) -> tuple:
    return ("layer", name, arguments)


CASES: dict[str, Case] = {
    "Activation": Case({"activation": "tanh"}, (4,)),
    "AdditiveAttention": Case({}, [(4, 3), (5, 3)]),
    "Attention": Case({"use_scale": True, "score_mode": "concat"}, [(4, 3), (5, 3)]),
    "ActivityRegularization": Case({"l1": 0.01, "l2": 0.01}, (4,)),
    "Add": Case({}, [(3,), (3,)]),
    "AlphaDropout": Case({"rate": 0.5}, (6,), random_in_training=True),
    "Average": Case({}, [(3,), (3,)]),
    "AveragePooling1D": Case({"pool_size": 2}, (6, 3)),
    "AveragePooling2D": Case({"pool_size": 2, "padding": "same"}, (5, 5, 2)),
    "AveragePooling3D": Case({"pool_size": 2, "padding": "same"}, (3, 5, 4, 2)),
    "BatchNormalization": Case({}, (4, 4, 3), random_in_training=True),
    "Bidirectional": Case({"layer": cell("LSTM", units=3, return_sequences=True)}, (5, 2)),
    "CenterCrop": Case({"height": 3, "width": 4}, (6, 6, 2)),
    "Concatenate": Case({}, [(3,), (2,)]),
    "Conv1D": Case({"filters": 3, "kernel_size": 3, "padding": "causal"}, (7, 2)),
    "Conv1DTranspose": Case({"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}, (5, 3)),
    "Conv2D": Case({"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"}, (7, 7, 2)),
    "Conv3D": Case({"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"}, (3, 5, 4, 2)),
    "ConvLSTM2D": Case({"filters": 2, "kernel_size": 3, "padding": "same", "return_sequences": True}, (3, 5, 4, 2)),
    "Conv2DTranspose": Case({"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}, (4, 4, 3)),
    "Cropping1D": Case({"cropping": (1, 2)}, (7, 3)),
    "Cropping2D": Case({"cropping": ((1, 0), (0, 2))}, (6, 6, 2)),
    "Dense": Case({"units": 3}, (5,)),
    "Dot": Case({"axes": 2}, [(4, 3), (5, 3)]),
    "DepthwiseConv2D": Case({"kernel_size": 3, "depth_multiplier": 2}, (6, 6, 2)),
    "Dropout": Case({"rate": 0.5}, (6,), random_in_training=True),
    "ELU": Case({"alpha": 0.5}, (4,)),
    "Embedding": Case({"input_dim": 10, "output_dim": 3}, (5,), integer_input=True, skip={"backward"}),
    "Flatten": Case({}, (3, 3, 2)),
    "GRU": Case({"units": 3}, (5, 2)),
    "GRUCell": Case({"units": 3}, (5, 2), note="run as RNN(cell), as Keras runs a cell"),
    "GaussianDropout": Case({"rate": 0.3}, (6,), random_in_training=True),
    "GaussianNoise": Case({"stddev": 0.3}, (6,), random_in_training=True),
    "GlobalAveragePooling1D": Case({}, (5, 3)),
    "GlobalAveragePooling2D": Case({}, (4, 4, 3)),
    "GlobalMaxPooling1D": Case({}, (5, 3)),
    "GlobalMaxPooling2D": Case({}, (4, 4, 3)),
    "GroupNormalization": Case({"groups": 2}, (4, 4, 4)),
    "Identity": Case({}, (4,)),
    "LSTM": Case({"units": 3, "return_sequences": True}, (5, 2)),
    "LSTMCell": Case({"units": 3}, (5, 2), note="run as RNN(cell), as Keras runs a cell"),
    "Lambda": Case(
        {"function": "square"}, (4,), skip={"save", "config"}, note="a lambda cannot be saved or rebuilt safely"
    ),
    "LayerNormalization": Case({}, (3, 4)),
    "LeakyReLU": Case({"negative_slope": 0.2}, (4,)),
    "Masking": Case({"mask_value": 0.0}, (5, 2)),
    "MaxPooling1D": Case({"pool_size": 2}, (6, 3)),
    "MaxPooling2D": Case({"pool_size": 2}, (6, 6, 2)),
    "MaxPooling3D": Case({"pool_size": (1, 2, 2), "padding": "same"}, (3, 5, 4, 2)),
    "MultiHeadAttention": Case({"num_heads": 2, "key_dim": 3}, [(4, 5), (6, 2)], positional=True),
    "Maximum": Case({}, [(3,), (3,)]),
    "Minimum": Case({}, [(3,), (3,)]),
    "Multiply": Case({}, [(3,), (3,)]),
    "Normalization": Case(
        {"mean": [0.5, -1.0], "variance": [4.0, 0.25]},
        (3, 2),
        skip={"weights"},
        note="given mean and variance are weights here (saved with the model), constants in Keras",
    ),
    "PReLU": Case({}, (4,)),
    "Permute": Case({"dims": (2, 1)}, (3, 4)),
    "RNN": Case({"cell": cell("SimpleRNNCell", units=3)}, (5, 2)),
    "RandomBrightness": Case({"factor": 0.2}, (4, 4, 3), random_in_training=True),
    "RandomContrast": Case({"factor": 0.3}, (4, 4, 3), random_in_training=True),
    "RandomCrop": Case(
        {"height": 3, "width": 3},
        (5, 5, 2),
        random_in_training=True,
        skip={"keras_output"},
        note="at inference it crops the centre, as Keras documents; Keras 3.15's code returns the input whole",
    ),
    "RandomFlip": Case({}, (4, 4, 2), random_in_training=True),
    "RandomRotation": Case({"factor": 0.1}, (5, 5, 2), random_in_training=True),
    "RandomTranslation": Case({"height_factor": 0.2, "width_factor": 0.2}, (5, 5, 2), random_in_training=True),
    "RandomZoom": Case({"height_factor": 0.2}, (5, 5, 2), random_in_training=True),
    "ReLU": Case({"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}, (4,)),
    "RepeatVector": Case({"n": 3}, (4,)),
    "Rescaling": Case({"scale": 0.5, "offset": 1.0}, (4,)),
    "Reshape": Case({"target_shape": (2, 3)}, (6,)),
    "Resizing": Case({"height": 3, "width": 5}, (6, 6, 2)),
    "SeparableConv2D": Case({"filters": 3, "kernel_size": 3}, (6, 6, 2)),
    "SimpleRNN": Case({"units": 3}, (5, 2)),
    "SimpleRNNCell": Case({"units": 3}, (5, 2), note="run as RNN(cell), as Keras runs a cell"),
    "Softmax": Case({}, (4,)),
    "SpatialDropout1D": Case({"rate": 0.5}, (5, 3), random_in_training=True),
    "SpatialDropout2D": Case({"rate": 0.5}, (4, 4, 3), random_in_training=True),
    "StackedRNNCells": Case(
        {"cells": [cell("SimpleRNNCell", units=3), cell("GRUCell", units=2)]},
        (5, 2),
        note="run as RNN(cells), as Keras runs a cell",
    ),
    "Subtract": Case({}, [(3,), (3,)]),
    "ThresholdedReLU": Case({"theta": 0.5}, (4,), keras=False, note="Keras 2's layer; Keras 3 has none"),
    "TimeDistributed": Case({"layer": cell("Dense", units=2)}, (4, 3)),
    "UnitNormalization": Case({}, (4,)),
    "UpSampling1D": Case({"size": 2}, (3, 2)),
    "UpSampling2D": Case({"size": 2, "interpolation": "bilinear"}, (3, 3, 2)),
    "ZeroPadding1D": Case({"padding": (1, 2)}, (3, 2)),
    "ZeroPadding2D": Case({"padding": ((1, 0), (2, 1))}, (3, 3, 2)),
}

# Names in cnnkit.layers.__all__ that are not layers to sweep, and why.
NOT_SWEPT = {
    "InputLayer": "the graph's entry point: it holds no computation",
    "KerasTensor": "the symbolic tensor of the functional API, not a layer",
    "Layer": "the base class",
    "TextVectorization": "strings in, token ids out: it runs before the model (tests/test_text_pipeline.py)",
}

CELLS = {"GRUCell", "LSTMCell", "SimpleRNNCell", "StackedRNNCells"}
