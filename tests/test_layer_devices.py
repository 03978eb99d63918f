"""A layer built before it joins a model (called on its own, adapted, a pretrained base) moves to
where the model keeps its weights. The CPU has one device, so the move is checked with torch's
"meta" device standing in for a GPU; CNNKIT_TEST_DEVICE=cuda runs the real case below it."""

import numpy as np
import torch

import cnnkit
from cnnkit import layers
from tests.conftest import TEST_DEVICE


def built_on_cpu(layer, input_shape):
    layer.build_for(input_shape, torch.device("cpu"))
    return layer


def test_a_layer_built_elsewhere_moves_to_the_model():
    dense = built_on_cpu(layers.Dense(3), (None, 4))
    cnnkit.backend.set_device("meta")
    model = cnnkit.Sequential([layers.Input((4,)), dense, layers.Dense(2)])
    assert all(p.is_meta for p in model.parameters())


def test_later_layers_follow_the_first_not_the_session_default():
    model = cnnkit.Sequential([layers.Input((4,)), layers.Dense(3)])  # on the test device
    cnnkit.backend.set_device("meta")
    model.add(layers.Dense(2))  # built after the default changed: joins the weights already there
    assert {p.device.type for p in model.parameters()} == {torch.device(TEST_DEVICE).type}


def test_a_plain_torch_module_moves_too():
    linear = torch.nn.Linear(4, 3)
    cnnkit.backend.set_device("meta")
    model = cnnkit.Sequential([layers.Input((4,)), linear])
    assert linear.weight.is_meta and model.output_shape == (None, 3)


def test_functional_models_take_prebuilt_layers_onto_the_default_device():
    dense = built_on_cpu(layers.Dense(3), (None, 4))
    cnnkit.backend.set_device("meta")
    inputs = layers.Input((4,))
    cnnkit.Model(inputs, dense(inputs))
    assert dense.kernel.is_meta


def test_an_adapted_layer_called_on_numpy_trains_in_a_model(rng):
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x.sum(1) > 0).astype("float32")
    dense = layers.Dense(3)
    dense(x[:2])  # built by a call on NumPy, where the session's device is
    model = cnnkit.Sequential([layers.Input((4,)), dense, layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    assert np.isfinite(model.predict(x, verbose=0)).all()
