"""Every layer in cnnkit.layers.__all__ through the same checks, as Keras's run_layer_test does:
output shape, parameter count, get_config/from_config, save and load, training against
inference, the backward pass, and the output of real Keras 3 on the same weights and input
(frozen in tests/data/keras_layer_references.npz by scripts/keras_layer_references.py).
The cases are in tests/layer_cases.py; a layer without one fails test_every_layer_has_a_case."""

import inspect
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from layer_cases import CASES, CELLS, NOT_SWEPT, call

import cnnkit
from cnnkit import layers

REFERENCES = np.load(Path(__file__).parent / "data" / "keras_layer_references.npz")


def built(value):
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "layer":
        return getattr(layers, value[1])(**{k: built(v) for k, v in value[2].items()})
    if isinstance(value, list):
        return [built(v) for v in value]
    return value


def make_layer(name: str):
    if name == "Lambda":
        return layers.Lambda(lambda x: x * x)
    layer = getattr(layers, name)(**{key: built(value) for key, value in CASES[name].arguments.items()})
    return layers.RNN(layer) if name in CELLS else layer


def inputs_for(name: str) -> list[np.ndarray]:
    case = CASES[name]
    if case.keras:
        return [REFERENCES[f"{name}/x{i}"] for i in range(len(case.shape) if isinstance(case.shape, list) else 1)]
    rng = np.random.default_rng(0)
    return [rng.standard_normal((3, *case.shape)).astype("float32")]


def run(layer, name: str, training: bool = False) -> torch.Tensor:
    arrays = inputs_for(name)
    given = arrays if isinstance(CASES[name].shape, list) else arrays[0]
    return call(layer, given, CASES[name], training=training)


def declared_shape(name: str):
    shape = CASES[name].shape
    return [(None, *s) for s in shape] if isinstance(shape, list) else (None, *shape)


def layer_names() -> list[str]:
    return sorted(
        name
        for name in layers.__all__
        if inspect.isclass(getattr(layers, name)) and getattr(layers, name).__name__ == name and name not in NOT_SWEPT
    )


def test_every_layer_has_a_case():
    assert set(layer_names()) == set(CASES), "add a case to tests/layer_cases.py for each new layer"


@pytest.mark.parametrize("name", layer_names())
def test_shape_parameters_and_keras_output(name):
    layer = make_layer(name)
    output = run(layer, name)  # called on NumPy, it answers channels-last, as Keras does
    shape = declared_shape(name)[0] if CASES[name].positional else declared_shape(name)  # the query's
    assert tuple(output.shape[1:]) == tuple(layer.compute_output_shape(shape))[1:]
    case = CASES[name]
    if not case.keras:
        return
    if "weights" not in case.skip:
        assert layer.count_params() == int(REFERENCES[f"{name}/params"])
        layer.set_weights([REFERENCES[f"{name}/w{i}"] for i in range(len(layer.get_weights()))])
    if "keras_output" in case.skip:
        return
    expected = REFERENCES[f"{name}/y"]
    actual = np.asarray(run(layer, name).detach())
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=2e-5, err_msg=f"{name} differs from Keras 3")


@pytest.mark.parametrize("name", layer_names())
def test_config_round_trip_gives_the_same_layer(name):
    if "config" in CASES[name].skip:
        return
    layer = make_layer(name)
    reference = run(layer, name)
    config = layer.get_config()
    config.pop("name")
    twin = type(layer).from_config(config)
    assert {k: v for k, v in twin.get_config().items() if k != "name"} == config
    run(twin, name)  # build
    twin.set_weights(layer.get_weights())
    torch.testing.assert_close(run(twin, name), reference)


@pytest.mark.parametrize("name", layer_names())
def test_save_and_load_in_a_model(name, tmp_path):
    if "save" in CASES[name].skip:
        return
    shapes = CASES[name].shape
    inputs = [cnnkit.Input(s) for s in shapes] if isinstance(shapes, list) else cnnkit.Input(shapes)
    model = cnnkit.Model(inputs, call(make_layer(name), inputs, CASES[name]))
    arrays = inputs_for(name)
    given = arrays if isinstance(shapes, list) else arrays[0]
    model.save(tmp_path / "model.keras")
    loaded = cnnkit.models.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded.predict(given, verbose=0), model.predict(given, verbose=0), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", layer_names())
def test_training_differs_from_inference_only_where_it_should(name):
    torch.manual_seed(0)
    layer = make_layer(name)
    inference = run(layer, name, training=False)
    training = run(layer, name, training=True)
    same = training.shape == inference.shape and torch.allclose(training, inference, atol=1e-6)
    assert same != CASES[name].random_in_training


@pytest.mark.parametrize("name", layer_names())
def test_backward_reaches_the_input_and_every_trainable_weight(name):
    if "backward" in CASES[name].skip:
        return
    layer = make_layer(name)
    arrays = [torch.tensor(a, requires_grad=True) for a in inputs_for(name)]
    channels_first = [a.permute(0, 3, 1, 2) if a.dim() == 4 else a for a in arrays]
    given = channels_first if isinstance(CASES[name].shape, list) else channels_first[0]
    output = call(layer, given, CASES[name], training=True)
    (output.float() * torch.linspace(0.5, 1.5, output.numel()).reshape(output.shape)).sum().backward()
    assert all(a.grad is not None and torch.isfinite(a.grad).all() for a in arrays)
    assert all(w.grad is not None for w in layer.trainable_weights)


INITIALIZED = {
    "Dense": {"units": 2},
    "Conv1D": {"filters": 2, "kernel_size": 2},
    "Conv2D": {"filters": 2, "kernel_size": 2},
    "Embedding": {"input_dim": 5, "output_dim": 2},
    "LSTM": {"units": 2},
    "ConvLSTM2D": {"filters": 2, "kernel_size": 2},
    "MultiHeadAttention": {"num_heads": 2, "key_dim": 2},
    "BatchNormalization": {},
    "LayerNormalization": {},
    "GroupNormalization": {"groups": 1},
    "PReLU": {},
    "DepthwiseConv2D": {"kernel_size": 2},
}


@pytest.mark.parametrize("name", sorted(INITIALIZED))
def test_initializer_regularizer_and_constraint_arguments_survive_the_config(name):
    """RandomNormal(stddev=0.5) must not come back as the default RandomNormal, nor Constant(3.0)
    as zeros, after get_config/from_config (and so after to_json, clone_model and saving)."""
    from cnnkit import constraints, initializers, regularizers

    cls = getattr(layers, name)
    parameters = cls(**INITIALIZED[name]).get_config()
    arguments = dict(INITIALIZED[name])
    for parameter in parameters:
        if parameter.endswith("_initializer"):
            arguments[parameter] = initializers.RandomNormal(mean=1.5, stddev=0.5)
        elif parameter.endswith("_regularizer") and parameter != "activity_regularizer":
            arguments[parameter] = regularizers.L1L2(l1=0.1, l2=0.2)
        elif parameter.endswith("_constraint"):
            arguments[parameter] = constraints.MaxNorm(max_value=3.0)
    assert any(p.endswith("_initializer") for p in arguments), name
    config = cls(**arguments).get_config()
    twin = cls.from_config(config)
    assert twin.get_config() == config
    for parameter in arguments:
        if parameter.endswith("_initializer"):
            assert getattr(twin, parameter).get_config() == {"mean": 1.5, "stddev": 0.5}, parameter
        elif parameter.endswith("_regularizer"):
            assert regularizers.serialize(getattr(twin, parameter)) == regularizers.serialize(arguments[parameter])


KERAS_CONFIGS = sorted(key.split("/")[0] for key in REFERENCES.files if key.endswith("/config"))


@pytest.mark.parametrize("name", KERAS_CONFIGS)
def test_a_layer_from_its_keras_file_config_computes_what_keras_computes(name):
    """The layer's config as Keras writes it into a `.keras` file builds cnnkit's layer, whose weights
    sit where Keras's file keeps them, and which gives Keras's output on Keras's weights."""
    from cnnkit.layers.serialization import deserialize
    from cnnkit.models.keras_files.config_from_keras import KerasConfigError, layer_description
    from cnnkit.models.keras_files.weights_tree import keras_shapes, weight_paths

    keras_config = json.loads(str(REFERENCES[f"{name}/config"]))
    if name == "RandomCrop":  # Keras writes the seed it drew; cnnkit seeds globally and says so
        with pytest.raises(ValueError, match="seed"):
            deserialize(layer_description(keras_config))
        return
    try:
        layer = deserialize(layer_description(keras_config))
    except KerasConfigError as error:
        pytest.fail(str(error))
    run(layer, name)  # builds it
    paths = weight_paths(layer)
    assert paths == json.loads(str(REFERENCES[f"{name}/paths"]))
    assert keras_shapes(layer) == [w.shape for w in layer.get_weights()]  # read without copying the weights
    if paths:  # (a Normalization given its mean and variance keeps them in the config)
        layer.set_weights([REFERENCES[f"{name}/w{i}"] for i in range(len(paths))])
    if "keras_output" in CASES[name].skip:
        return
    actual = np.asarray(run(layer, name).detach())
    np.testing.assert_allclose(actual, REFERENCES[f"{name}/y"], rtol=1e-4, atol=2e-5)
