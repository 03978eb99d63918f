"""model.export: ONNX files run in onnxruntime and TorchScript files in torch.jit, giving the
model's own predictions (within 1e-4) for the zoo at small sizes, with any batch size."""

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import layers
from cnnkit.applications import get_model

ZOO = [("lenet5", (32, 32, 1)), ("fashion_cnn", (28, 28, 1)), ("resnet20", (32, 32, 3)), ("lstm", (28, 28, 1))]


@pytest.mark.parametrize("name, shape", ZOO)
def test_onnx_runs_in_onnxruntime_like_the_model(tmp_path, rng, name, shape):
    onnxruntime = pytest.importorskip("onnxruntime")
    keras.utils.set_random_seed(0)
    model = get_model(name, input_shape=shape, classes=10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = rng.random((16, *shape), dtype=np.float32)
    model.fit(x, rng.integers(0, 10, 16), batch_size=8, epochs=1, verbose=0)  # moving statistics move
    model.export(tmp_path / "model.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"))
    assert [i.name for i in session.get_inputs()] == ["inputs"]
    for batch in (1, 5):  # the batch axis is free
        got = session.run(None, {"inputs": x[:batch]})[0]
        np.testing.assert_allclose(got, model.predict(x[:batch], verbose=0), atol=1e-4, rtol=0)


@pytest.mark.parametrize("name, shape", [ZOO[1], ZOO[3]])
def test_torchscript_loads_without_cnnkit_classes(tmp_path, rng, name, shape):
    model = get_model(name, input_shape=shape, classes=10)
    model.export(tmp_path / "model.pt", format="torchscript")
    loaded = torch.jit.load(str(tmp_path / "model.pt"))
    x = rng.random((3, *shape), dtype=np.float32)
    got = loaded(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, model.predict(x, verbose=0), atol=1e-5, rtol=0)


def test_export_keeps_the_training_mode_and_checks_its_arguments(tmp_path):
    model = keras.Sequential([layers.Input(shape=(4,)), layers.Dropout(0.5), layers.Dense(2)])
    model.train()
    model.export(tmp_path / "m.pt", format="torchscript")
    assert model.training
    with pytest.raises(ValueError, match="format must be one of onnx, torchscript; received format='tflite'"):
        model.export(tmp_path / "m.tflite", format="tflite")
    inputs = [layers.Input(shape=(3,)), layers.Input(shape=(3,))]
    two = keras.Model(inputs, layers.Add()(inputs))
    with pytest.raises(ValueError, match="takes 2 inputs; export supports models with one input"):
        two.export(tmp_path / "two.onnx")


class DataDependent(layers.Layer):
    def call(self, x):
        return x if x.sum() > 0 else -x  # a branch on the data: torch.export cannot capture it


def test_a_model_torch_cannot_export_gets_one_clear_error(tmp_path):
    pytest.importorskip("onnxscript")
    model = keras.Sequential([layers.Input(shape=(3,)), DataDependent()])
    with pytest.raises(RuntimeError, match=r"^export: torch could not export sequential(_\d+)? as onnx: \S"):
        model.export(tmp_path / "bad.onnx")
    assert not (tmp_path / "bad.onnx").exists()
