"""`cnnkit` end to end on folders of image files, scikit-learn's digits, `compare` and `transfer`,
through the real entry point in subprocesses (tiny data the tests write; no network, no ../shared)."""

import base64
import csv
import json
import re

import numpy as np
import pytest
from image_files import CLASSES, write_image_folder
from test_cli import cnnkit, cnnkit_in_process, home  # noqa: F401 (home is a fixture)

from cnnkit.datasets import image_folder
from cnnkit.models import load_model


def embedded_pngs(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', page)]


def test_train_on_an_image_folder_then_evaluate_and_predict(home, tmp_path):  # noqa: F811
    pets = tmp_path / "pets"
    write_image_folder(pets, per_class=12, size=(20, 24))
    (pets / "circle" / "broken.png").write_bytes(b"not an image")
    run = tmp_path / "run"
    args = ["train", "--model", "fashion_cnn", "--data", f"folder:{pets}", "--epochs", "2", "--batch-size", "8"]
    result = cnnkit(home, *args, "--out", run)
    assert result.returncode == 0, result.stderr
    assert f"skipped {pets / 'circle' / 'broken.png'}: not a readable image" in result.stderr
    config = json.loads((run / "config.json").read_text())
    assert config["class_names"] == list(CLASSES) and config["input_shape"] == [20, 24, 3]
    assert config["data"] == f"folder:{pets.resolve()}"
    metrics = json.loads((run / "metrics.json").read_text())

    evaluation_file = tmp_path / "evaluation.json"
    evaluated = cnnkit(home, "evaluate", run, "--json", evaluation_file)
    assert evaluated.returncode == 0, evaluated.stderr
    evaluation = json.loads(evaluation_file.read_text())
    assert evaluation["accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-9)
    held_out = image_folder.load_data(pets).y_test  # the same split as the run's
    assert sum(map(sum, evaluation["confusion"])) == len(held_out) and len(held_out) >= 6
    assert list(evaluation["per_class"]) == list(CLASSES)

    page = (run / "report.html").read_text()
    assert f"{metrics['test_accuracy']:.2%}" in page  # the report shows the numbers evaluate gives
    for name, score in evaluation["per_class"].items():
        assert f"<td>{name}</td><td>{score['precision']:.4f}</td><td>{score['recall']:.4f}</td>" in page
    pngs = embedded_pngs(page)
    assert len(pngs) == 10 and all(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000 for png in pngs)
    assert "Total params: " in page and "training images per second" in page

    picture = pets / "square" / "004.png"
    predicted = cnnkit(home, "predict", run, picture, "--json")
    assert predicted.returncode == 0, predicted.stderr
    assert json.loads(predicted.stdout)[0]["top"][0]["class"] in CLASSES


def test_a_folder_streamed_from_disk_trains_validates_and_scores(home, tmp_path):  # noqa: F811
    pets = tmp_path / "pets"
    write_image_folder(pets, per_class=12, size=(20, 24))
    run = tmp_path / "run"
    args = ["train", "--model", "lenet5", "--data", f"folder:{pets}", "--stream", "on", "--image-size", "28,28"]
    result = cnnkit(home, *args, "--epochs", "2", "--batch-size", "8", "--out", run)
    assert result.returncode == 0, result.stderr
    assert "30 training images of" in result.stderr and "read from disk each epoch" in result.stderr
    history = list(csv.DictReader((run / "history.csv").open()))
    assert len(history) == 2 and all(0 <= float(row["val_accuracy"]) <= 1 for row in history)
    config = json.loads((run / "config.json").read_text())
    assert config["input_shape"] == [28, 28, 3] and config["stream"] == "on"
    metrics = json.loads((run / "metrics.json").read_text())
    assert 0 <= metrics["test_accuracy"] <= 1 and (run / "report.html").exists()


def test_train_on_digits_resized(home, tmp_path):  # noqa: F811
    run = tmp_path / "digits"
    args = ["train", "--model", "fashion_cnn", "--data", "digits", "--epochs", "1", "--image-size", "16"]
    result = cnnkit(home, *args, "--out", run)
    assert result.returncode == 0, result.stderr
    config = json.loads((run / "config.json").read_text())
    assert config["input_shape"] == [16, 16, 1] and config["class_names"] == [str(d) for d in range(10)]
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.5  # one epoch on 1,297 real digits learns something
    evaluated = cnnkit(home, "evaluate", run)  # the 8x8 test digits are resized as in training
    assert evaluated.returncode == 0 and f"test accuracy {metrics['test_accuracy']:.4f}" in evaluated.stdout

    exported = cnnkit(home, "export", run, tmp_path / "digits.onnx")
    assert exported.returncode == 0, exported.stderr
    # one line of result; none of the exporter's own logging and deprecation warnings (there were six)
    assert exported.stderr == "" and len(exported.stdout.splitlines()) == 1, exported.stderr
    onnxruntime = pytest.importorskip("onnxruntime")
    x = np.random.default_rng(0).random((4, 16, 16, 1), dtype=np.float32)
    got = onnxruntime.InferenceSession(str(tmp_path / "digits.onnx")).run(None, {"inputs": x})[0]
    expected = load_model(run / "best.keras").predict(x, verbose=0)
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_compare_then_transfer(home, tmp_path):  # noqa: F811
    out = tmp_path / "compare"
    args = ["compare", "--models", "lstm,fashion_cnn", "--data", "fashion_mnist", "--epochs", "1"]
    result = cnnkit(home, *args, "--batch-size", "16", "--out", out)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(open(out / "leaderboard.csv")))
    assert sorted(row["model"] for row in rows) == ["fashion_cnn", "lstm"]
    accuracy = [float(row["test_accuracy"]) for row in rows]
    assert accuracy == sorted(accuracy, reverse=True)
    for row in rows:
        metrics = json.loads((out / row["model"] / "metrics.json").read_text())
        model = load_model(out / row["model"] / "best.keras")
        assert int(row["parameters"]) == sum(p.numel() for p in model.parameters()) == metrics["parameters"]
        assert float(row["seconds_per_epoch"]) > 0 and (out / row["model"] / "report.html").exists()
    assert (out / "leaderboard.png").read_bytes()[:4] == b"\x89PNG" and "| fashion_cnn |" in result.stdout
    assert not (out / "lstm" / "filters.png").exists()  # no convolution to show in the LSTM's report

    # transfer the compared Fashion CNN to a folder of RGB 20x24 shapes (made grey 28x28 for it)
    pets = tmp_path / "pets"
    write_image_folder(pets, per_class=10, size=(20, 24))
    source = load_model(out / "fashion_cnn" / "best.keras")
    frozen_run = tmp_path / "frozen"
    transfer = ["transfer", "--from", out / "fashion_cnn", "--data", f"folder:{pets}", "--batch-size", "8"]
    result = cnnkit(home, *transfer, "--freeze-backbone", "--epochs", "1", "--out", frozen_run)
    assert result.returncode == 0, result.stderr
    frozen = load_model(frozen_run / "best.keras")
    assert frozen.input_shape == (None, 28, 28, 1) and frozen.output_shape == (None, 3)
    for before, after in zip(source.backbone_layers, frozen.backbone_layers):
        for a, b in zip(before.get_weights(), after.get_weights()):
            np.testing.assert_array_equal(a, b)  # the frozen backbone did not move

    tuned_run = tmp_path / "tuned"
    result = cnnkit(
        home, *transfer, "--freeze-backbone", "--epochs", "1", "--fine-tune-epochs", "1", "--out", tuned_run
    )
    assert result.returncode == 0, result.stderr
    history = list(csv.DictReader(open(tuned_run / "history.csv")))
    assert [float(r["learning_rate"]) for r in history] == pytest.approx([1e-3, 1e-4])
    tuned = load_model(tuned_run / "last.keras")
    moved = [
        not np.array_equal(a, b)
        for before, after in zip(source.backbone_layers, tuned.backbone_layers)
        for a, b in zip(before.get_weights(), after.get_weights())
    ]
    assert any(moved) and all(layer.trainable for layer in tuned.layers)
    assert json.loads((tuned_run / "config.json").read_text())["source_model"] == "FashionCNN"


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--model", "lenet5", "--data", "folder:"], "folder:PATH needs a folder path"),
        (["train", "--model", "lenet5", "--data", "folder:/no/such/folder"], "no such folder"),
        (["train", "--model", "lenet5", "--data", "digits"], "lenet5 cannot take input shape (8, 8, 1)"),
        (["train", "--model", "lenet5", "--data", "digits", "--image-size", "0,3"], "--image-size must be"),
        (["compare", "--models", "lenet5,resnet7", "--data", "digits"], "unknown model 'resnet7'"),
        (["compare", "--models", "lenet5,lenet5", "--data", "digits"], "names a model twice"),
        (["transfer", "--from", "no/such/run", "--data", "digits"], "no run folder or model file at 'no/such/run'"),
        (["report", "no/such/run"], "is not a run folder"),
        (["export", "no/such/run", "model.onnx"], "no run folder or model file at 'no/such/run'"),
    ],
)
def test_bad_arguments_are_one_line(home, args, message, tmp_path, monkeypatch, capsys):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    status, stderr = cnnkit_in_process(home, args, monkeypatch, capsys)
    assert status == 2, stderr
    assert message in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1
