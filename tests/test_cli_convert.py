"""`cnnkit convert IN OUT`: a Keras file into cnnkit's archive, Keras's other format, ONNX or
TorchScript, and back; every output predicts what Keras predicted (fixtures of test_keras_files)."""

import numpy as np
import pytest
import torch
from test_keras_files import FIXTURES, keras_predictions

from cnnkit.cli import main
from cnnkit.models import load_model


def convert(args, capsys) -> tuple[int, str, str]:
    status = main(["convert", *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("output", ["model.keras", "model.h5", "model.cnnkit", "model.onnx", "model.pt"])
def test_a_keras_h5_converts_and_still_predicts_what_keras_did(tmp_path, capsys, output):
    status, out, err = convert([FIXTURES / "residual_block.h5", tmp_path / output], capsys)
    assert status == 0, err
    assert "(Keras HDF5) -> " in out and "1,525 parameters, input (8, 8, 3)" in out
    x, expected = keras_predictions("residual_block")
    path = tmp_path / output
    if output.endswith(".onnx"):
        onnxruntime = pytest.importorskip("onnxruntime")
        session = onnxruntime.InferenceSession(str(path))
        actual = session.run(None, {session.get_inputs()[0].name: x})[0]
    elif output.endswith(".pt"):
        actual = torch.jit.load(str(path))(torch.from_numpy(x)).detach().numpy()
    else:
        actual = load_model(path).predict(x, verbose=0)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5)


def test_back_from_cnnkit_to_keras_and_weights_alone(tmp_path, capsys):
    assert convert([FIXTURES / "fashion_cnn.keras", tmp_path / "own.cnnkit"], capsys)[0] == 0
    assert convert([tmp_path / "own.cnnkit", tmp_path / "again.h5"], capsys)[0] == 0
    assert convert([tmp_path / "again.h5", tmp_path / "w.weights.h5"], capsys)[0] == 0
    x, expected = keras_predictions("fashion_cnn")
    np.testing.assert_allclose(load_model(tmp_path / "again.h5").predict(x, verbose=0), expected, rtol=0, atol=1e-5)
    model = load_model(FIXTURES / "fashion_cnn.keras")
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    "source, output, message",
    [
        ("residual_block.keras", "model.txt", "cannot tell the format of"),
        ("no_such_file.keras", "model.onnx", "no run folder or model file at"),
        ("predictions.npz", "model.keras", "is not a model file cnnkit reads"),
        ("residual_block.keras", "no/such/folder/model.keras", "does not exist"),
    ],
)
def test_bad_conversions_are_one_line(tmp_path, capsys, monkeypatch, source, output, message):
    monkeypatch.chdir(tmp_path)
    status, _, err = convert([FIXTURES / source, output], capsys)
    assert status == 2 and message in err and len(err.strip().splitlines()) == 1, err
