"""The command line through its real entry point (`python -m cnnkit`), on a tiny IDX data set the
test writes into a private CNNKIT_HOME: no network, no shared data."""

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import subprocess_env
from PIL import Image
from test_datasets import write_dataset

from cnnkit.models import load_model


@pytest.fixture
def home(tmp_path):
    env = subprocess_env(CNNKIT_HOME=str(tmp_path / "home"))
    write_dataset(tmp_path / "home" / "datasets" / "fashion-mnist", n_train=200, n_test=50)
    return env


def cnnkit(env, *args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "cnnkit", *map(str, args)], env=env, capture_output=True, text=True, timeout=timeout
    )


def cnnkit_in_process(env, args, monkeypatch, capsys) -> tuple[int, str]:
    """The same command through cnnkit.cli.main in this process: (exit status, stderr). For the
    many bad-argument cases, which would each spend seconds starting Python and torch."""
    from cnnkit.cli import main

    monkeypatch.setenv("CNNKIT_HOME", env["CNNKIT_HOME"])
    try:
        status = main([str(arg) for arg in args])
    except SystemExit as stop:  # argparse's own errors
        status = stop.code
    return status, capsys.readouterr().err


def test_train_then_evaluate(home, tmp_path):
    run = tmp_path / "run"
    args = ["train", "--model", "lenet5", "--data", "fashion_mnist", "--epochs", "2", "--batch-size", "32"]
    result = cnnkit(
        home,
        *args,
        "--lr-decay",
        "cosine",
        "--dropout",
        "0.2",
        "--augment",
        "--out",
        run,
        "--precision",
        "mixed_bfloat16",
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in run.iterdir()) == [
        "best.keras",
        "class_balance.png",
        "config.json",
        "confusion_matrix.png",
        "epoch_times.png",
        "feature_maps.png",
        "filters.png",
        "history.csv",
        "last.keras",
        "learning_curves.png",
        "metrics.json",
        "model.png",
        "per_class.png",
        "report.html",
        "top_losses.png",
        "training_samples.png",
    ]
    assert "- val_accuracy:" in result.stdout  # plain per-epoch lines when not on a terminal
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == "lenet5" and config["seed"] == 0 and config["versions"]["torch"]
    assert config["precision"] == "mixed_bfloat16"
    assert config["class_names"][9] == "Ankle boot"
    rows = list(csv.DictReader(open(run / "history.csv")))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    metrics = json.loads((run / "metrics.json").read_text())

    report = tmp_path / "evaluation.json"
    result = cnnkit(home, "evaluate", run, "--json", report)
    assert result.returncode == 0, result.stderr
    assert "confusion matrix" in result.stdout and "Ankle boot" in result.stdout
    evaluation = json.loads(report.read_text())
    assert sum(map(sum, evaluation["confusion"])) == 50
    # The run's metrics are its best model's (best.keras), the model `evaluate RUN` scores.
    assert metrics["model_file"] == "best.keras" and metrics["epochs"] == 2
    assert evaluation["accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-9)
    assert evaluation["loss"] == pytest.approx(metrics["test_loss"], rel=1e-5)

    # predict: a grey 28x28 PNG and an RGB 40x30 JPEG (converted and resized to the model's input)
    grey = np.random.default_rng(1).integers(0, 256, (28, 28)).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "shirt.png")
    Image.fromarray(np.random.default_rng(2).integers(0, 256, (30, 40, 3)).astype(np.uint8)).save(tmp_path / "bag.jpg")
    result = cnnkit(home, "predict", run, tmp_path / "shirt.png", tmp_path / "bag.jpg", "--json")
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert [len(a["top"]) for a in answers] == [3, 3]
    expected = load_model(run / "best.keras").predict(grey[None, :, :, None].astype(np.float32) / 255, verbose=0)[0]
    best = int(expected.argmax())
    assert answers[0]["top"][0] == {
        "class": config["class_names"][best],
        "probability": pytest.approx(expected[best], abs=1e-5),
    }
    text = cnnkit(home, "predict", run, tmp_path / "shirt.png", "--top", "2")
    assert text.stdout.startswith(f"{tmp_path / 'shirt.png'}: ") and text.stdout.count("%") == 2
    (tmp_path / "notes.txt").write_text("not an image")
    broken = cnnkit(home, "predict", run, tmp_path / "notes.txt")
    assert broken.returncode == 2 and "notes.txt: not a readable image" in broken.stderr


def test_interrupted_training_resumes(home, tmp_path):
    """Ctrl-C once the first epoch is saved. The interrupted run asks for 1,000 epochs, so it cannot
    end before the signal arrives however fast or slow the machine; the resumed one finishes 40."""
    run = tmp_path / "run"
    args = ["train", "--model", "fashion_cnn", "--data", "fashion_mnist", "--epochs", "40", "--batch-size", "8"]
    long_run = [*args[:-4], "--epochs", "1000", "--batch-size", "8"]
    process = subprocess.Popen(
        [sys.executable, "-m", "cnnkit", *long_run, "--out", str(run)],
        env=home,
        stdout=subprocess.PIPE,
        text=True,
        # Ctrl-C's default action, even when the tests run as a background job (which ignores SIGINT
        # and would pass that on, so the training never saw the interrupt).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 120
    while not (run / "backup" / "backup.cnnkit").exists() and time.time() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130
    assert f"continue with: cnnkit train --resume {run}" in output
    done = len(list(csv.DictReader(open(run / "history.csv"))))
    assert 1 <= done < 40

    result = cnnkit(home, *args, "--out", run, "--resume")  # resumed, now asking for 40 epochs in all
    assert result.returncode == 0, result.stderr
    epochs = [int(r["epoch"]) for r in csv.DictReader(open(run / "history.csv"))]
    assert epochs == list(range(40))  # continued after the interrupted epochs, not started again
    assert not (run / "backup").exists()


def test_models_and_summary(home):
    table = subprocess.run(  # the console script, which answers from the frozen table without torch
        [str(Path(sys.executable).with_name("cnnkit")), "models"], env=home, capture_output=True, text=True
    )
    assert table.returncode == 0, table.stderr
    rows = {line.split()[0]: line for line in table.stdout.splitlines()[2:]}
    assert "Simonyan & Zisserman" in rows["vgg16"] and "138,357,544" in rows["vgg16"]
    names = list(rows)
    assert names.index("resnet18") < names.index("resnet34") < names.index("resnet101")  # numbers as numbers
    assert names.index("lenet5") < names.index("alexnet") < names.index("resnet18")  # oldest paper first
    summary = cnnkit(home, "summary", "resnet20", "--input-shape", "28,28,1")
    assert 'Model: "ResNet20"' in summary.stdout and "Total params: 270,810" in summary.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--model", "resnet7", "--data", "fashion_mnist"], "unknown model 'resnet7'"),
        (["train", "--model", "lenet5", "--data", "imagenet"], "unknown data set 'imagenet'"),
        (["train", "--model", "lenet5", "--data", "fashion_mnist", "--val-split", "1.5"], "--val-split must be in"),
        (
            ["train", "--model", "lenet5", "--data", "fashion_mnist", "--resume", "--out", "nowhere"],
            "holds no interrupted run",
        ),
        (["evaluate", "no/such/run"], "no run folder or model file at 'no/such/run'"),
        (["summary", "lenet5", "--input-shape", "8,8,1"], "lenet5 cannot take input shape (8, 8, 1)"),
        (["summary", "lenet5", "--input-shape", "28x28"], "--input-shape must be height,width,channels"),
    ],
)
def test_bad_arguments_are_one_line(home, tmp_path, args, message, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status, stderr = cnnkit_in_process(home, args, monkeypatch, capsys)
    assert status == 2
    assert message in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_a_bad_argument_through_the_real_entry_point_is_one_line(home):
    result = cnnkit(home, "train", "--model", "resnet7", "--data", "fashion_mnist", timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cnnkit train: unknown model 'resnet7'")


def test_train_on_cifar10(tmp_path, rng):
    from test_cifar10 import official_batches, write_archive

    env = subprocess_env(CNNKIT_HOME=str(tmp_path / "home"))
    write_archive(tmp_path / "home" / "datasets" / "cifar-10", official_batches(rng, per_batch=8))
    run = tmp_path / "run"
    args = ["train", "--model", "resnet20", "--data", "cifar10", "--epochs", "1", "--batch-size", "8"]
    result = cnnkit(env, *args, "--optimizer", "sgd", "--momentum", "0.9", "--lr-decay", "step", "--out", run)
    assert result.returncode == 0, result.stderr
    config = json.loads((run / "config.json").read_text())
    assert config["input_shape"] == [32, 32, 3] and config["class_names"][0] == "airplane"
