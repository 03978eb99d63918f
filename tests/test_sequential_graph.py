"""A built Sequential as Keras shows it: model.input, model.output and each layer's output, so a
functional model can cut activations out of it (sharing its layers)."""

import numpy as np
import pytest
import torch
from torch import nn

import cnnkit as keras
from cnnkit import layers


def cnn():
    return keras.Sequential(
        [
            layers.Input((10, 10, 1)),
            layers.Conv2D(3, 3, activation="relu", name="conv1"),
            layers.MaxPooling2D(name="pool1"),
            layers.Flatten(name="flat"),
            layers.Dense(4, activation="softmax", name="probs"),
        ]
    )


def test_every_layer_output_can_be_cut_out(rng):
    model = cnn()
    x = rng.random((5, 10, 10, 1)).astype(np.float32)
    activations = keras.Model(inputs=model.input, outputs=[layer.output for layer in model.layers])
    outputs = activations.predict(x, verbose=0)
    assert [o.shape for o in outputs] == [(5, 8, 8, 3), (5, 4, 4, 3), (5, 48), (5, 4)]
    np.testing.assert_allclose(outputs[-1], model.predict(x, verbose=0), rtol=1e-6)
    conv = model.get_layer("conv1")
    kernel, bias = (torch.from_numpy(w) for w in conv.get_weights())
    expected = torch.relu(
        torch.nn.functional.conv2d(torch.from_numpy(x).permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias)
    )
    np.testing.assert_allclose(outputs[0], expected.permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-6)

    features = keras.Model(inputs=model.inputs, outputs=model.get_layer("flat").output)  # a list of one input
    assert features.predict(x, verbose=0).shape == (5, 48)
    assert model.output.shape == (None, 4) and model.outputs[0] is model.output


def test_the_view_follows_pop_and_deferred_building(rng):
    model = cnn()
    model.pop()
    assert model.output.shape == (None, 48)
    deferred = keras.Sequential([layers.Dense(2), layers.Dense(1)])
    with pytest.raises(ValueError, match="Sequential '.*' has no symbolic input and output: it is not built"):
        _ = deferred.input
    deferred.build((None, 3))
    assert deferred.layers[0].output.shape == (None, 2)
    with_torch = keras.Sequential([layers.Input((3,)), nn.Linear(3, 2)])
    with pytest.raises(ValueError, match="holds a plain torch module"):
        _ = with_torch.output
    with pytest.raises(ValueError, match="has no symbolic input and output: it has no layers yet"):
        _ = keras.Sequential([layers.Input((3,))]).output


def test_a_model_made_with_a_list_of_one_input_takes_every_form(rng):
    inputs = keras.Input((3,), name="features")
    model = keras.Model(inputs=[inputs], outputs=layers.Dense(1)(inputs))
    model.compile("sgd", "mse")
    x, y = rng.random((8, 3)).astype(np.float32), rng.random(8).astype(np.float32)
    expected = model.predict(x, verbose=0)
    for data in ([x], {"features": x}):  # as Keras takes them
        np.testing.assert_array_equal(model.predict(data, verbose=0), expected)
        assert model.evaluate(data, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    model.fit(x, y, epochs=1, validation_split=0.25, verbose=0)
