"""The command line's front (issue 19): checks before any data loads, with suggestions; the run
header, the final line and config.json's record; --resume RUN and --config FILE; the everyday
options (patience, threads, TensorBoard, weights, split folders, predict on folders, comparing
finished runs); `cnnkit models` and `--version` without torch. In-process through
cnnkit.cli.main on test_cli's tiny data set, except where the entry point itself is the subject."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_cli import cnnkit_in_process, home  # noqa: F401 (home is a fixture)

from cnnkit.cli import checks, train
from cnnkit.cli.errors import CommandError

TRAIN = ["train", "--model", "fashion_cnn", "--data", "fashion_mnist", "--epochs", "2", "--batch-size", "32"]


def run_cli(env, args, monkeypatch) -> int:
    """cnnkit.cli.main in this process, leaving its printed output in capsys for the test to read."""
    from cnnkit.cli import main

    monkeypatch.setenv("CNNKIT_HOME", env["CNNKIT_HOME"])
    return main([str(arg) for arg in args])


def one_line(stderr: str) -> bool:
    return len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def rows_of(path: Path) -> list[dict]:
    return list(csv.DictReader(open(path)))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "lenett5", "--data", "mnist"], "unknown model 'lenett5'; did you mean 'lenet5'?"),
        (["--model", "resnet20", "--data", "fashion-mnist"], "unknown data set 'fashion-mnist'; did you mean"),
        (["--model", "resnet20", "--data", "mnist", "--device", "mps"], "--device mps: no Apple GPU (MPS) here"),
        (["--model", "resnet20", "--data", "mnist", "--device", "tpu"], "--device 'tpu' is not a device"),
        (["--model", "resnet20", "--data", "mnist", "--threads", "0"], "--threads must be positive"),
        (["--data", "mnist"], "--model is required (or --resume RUN"),
    ],
)
def test_arguments_are_checked_before_any_data_loads(home, tmp_path, args, message, monkeypatch, capsys):  # noqa: F811
    """mnist is not on this machine: had the data loaded first, the error would be about that."""
    monkeypatch.chdir(tmp_path)
    status, stderr = cnnkit_in_process(home, ["train", *args], monkeypatch, capsys)
    assert status == 2 and one_line(stderr) and message in stderr, stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="checks what a machine without CUDA says")
def test_device_names_users_type_map_to_torch_names():
    for name in ("gpu", "0", "cuda:1"):
        with pytest.raises(CommandError, match="no CUDA GPU here .*this machine can use: cpu"):
            checks.device_name(name)
    assert checks.device_name("CPU") == "cpu" and checks.device_name(None) is None


def test_a_network_that_shrinks_the_images_to_nothing_is_warned_about(capsys):
    assert checks.warn_if_too_small("resnet50", (8, 8, 1), 10)
    assert "resnet50's downsampling leaves its last convolutions a 1x1 image" in capsys.readouterr().err
    # the usual pairings stay quiet: an ImageNet ResNet on MNIST (its small-image stem), VGG on CIFAR
    assert not any(
        checks.warn_if_too_small(*case) for case in [("resnet18", (28, 28, 1), 10), ("vgg16", (32, 32, 3), 10)]
    )
    assert not checks.warn_if_too_small("fashion_cnn", (8, 8, 1), 10)


def test_header_final_line_and_the_record_in_config_json(home, tmp_path):  # noqa: F811
    """Through the real entry point, in a git work tree: what a user sees and what the run keeps."""
    git = lambda *args: subprocess.run(["git", *args], cwd=tmp_path, capture_output=True, text=True, check=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x")
    commit = git("rev-parse", "HEAD").stdout.strip()
    arguments = [*TRAIN, "--threads", "1", "--patience", "3"]
    result = subprocess.run(
        [sys.executable, "-m", "cnnkit", *arguments],
        env=home,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    run = tmp_path / "runs" / "fashion_cnn-fashion_mnist"
    header = result.stdout.split("Epoch 1/2")[0]
    assert f"cnnkit train: fashion_cnn on fashion_mnist -> {Path('runs') / run.name}" in header
    assert "180 training, 20 validation, 50 test images of 28x28x1; 10 classes" in header
    assert "356,234 parameters" in header and "cpu (" in header and "1 threads" in header
    assert "\r" not in result.stdout  # not a terminal: one line per epoch
    history = rows_of(run / "history.csv")
    best = int(np.argmax([float(row["val_accuracy"]) for row in history])) + 1
    assert f"(best epoch {best} of 2)" in result.stdout.splitlines()[-1]
    config = json.loads((run / "config.json").read_text())
    assert config["command_line"] == "cnnkit " + " ".join(arguments)
    assert config["git"] == {"commit": commit, "uncommitted_changes": False}
    assert config["started"].endswith("+00:00") and config["host"] and config["versions"]["torch"]
    assert config["hardware"]["threads"] == 1
    assert json.loads((run / "metrics.json").read_text())["best_epoch"] == best


def test_a_taken_folder_gets_a_number_unless_exist_ok(tmp_path):
    """(Numbering through the CLI itself: test_cli_hardening's run without --out, twice.)"""
    import argparse

    out = tmp_path / "mine"
    args = lambda *extra: argparse.Namespace(resume=False, out=str(out), exist_ok="--exist-ok" in extra)  # noqa: E731
    assert train.run_folder(args()) == out  # free
    (out / "config.json").parent.mkdir()
    (out / "config.json").write_text("{}")
    assert train.run_folder(args()) == tmp_path / "mine-2"
    assert train.run_folder(args("--exist-ok")) == out
    (tmp_path / "mine-2").mkdir()  # an empty folder is free
    assert train.run_folder(args()) == tmp_path / "mine-2"


def test_resume_run_alone_takes_its_settings_and_refuses_a_different_model(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    """Stopped while scoring (after the last epoch): `--resume RUN` alone goes straight to scoring,
    with the run's own settings; asking it for another model is one line and changes nothing."""
    run = tmp_path / "run"
    real_finish = train.finish

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "finish", stopped)
    assert run_cli(home, [*TRAIN, "--out", run, "--lr", "0.002"], monkeypatch) == 130
    assert "interrupted while scoring" in capsys.readouterr().out
    monkeypatch.setattr(train, "finish", real_finish)
    saved = (run / "config.json").read_bytes()
    status, stderr = cnnkit_in_process(home, ["train", "--resume", run, "--model", "lenet5"], monkeypatch, capsys)
    assert status == 2 and one_line(stderr) and "is a run with --model fashion_cnn" in stderr
    assert (run / "config.json").read_bytes() == saved
    assert run_cli(home, ["train", "--resume", run], monkeypatch) == 0
    assert "Epoch" not in capsys.readouterr().out  # nothing trained again
    assert len(rows_of(run / "history.csv")) == 2 and (run / "metrics.json").exists()
    config = json.loads((run / "config.json").read_text())
    assert config["lr"] == 0.002 and config["model"] == "fashion_cnn" and len(config["resumed"]) == 1
    assert not (run / "backup").exists()


def test_a_config_file_gives_settings_the_command_line_can_override(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"model": "fashion_cnn", "data": "fashion_mnist", "epochs": 1, "batch-size": 50}))
    run = tmp_path / "run"
    arguments = ["train", "--config", settings, "--out", run, "--seed", "3"]
    assert cnnkit_in_process(home, arguments, monkeypatch, capsys)[0] == 0
    config = json.loads((run / "config.json").read_text())
    assert (config["epochs"], config["batch_size"], config["seed"]) == (1, 50, 3)
    # a run's own config.json works as a config file; an explicit option wins over it
    arguments = ["train", "--config", run / "config.json", "--epochs", "2", "--out", tmp_path / "again"]
    assert cnnkit_in_process(home, arguments, monkeypatch, capsys)[0] == 0
    assert json.loads((tmp_path / "again" / "config.json").read_text())["batch_size"] == 50
    assert len(rows_of(tmp_path / "again" / "history.csv")) == 2
    settings.write_text(json.dumps({"epochz": 3}))
    status, stderr = cnnkit_in_process(home, ["train", "--config", settings], monkeypatch, capsys)
    assert status == 2 and one_line(stderr) and "no setting 'epochz'; did you mean 'epochs'?" in stderr


def test_patience_stops_a_run_that_no_longer_improves(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    """At a learning rate of 1e-12 nothing changes: the best epoch stays the first, so patience 1
    ends the run after the second of ten."""
    arguments = [*TRAIN, "--epochs", "10", "--lr", "1e-12", "--patience", "1", "--out", tmp_path / "run"]
    assert cnnkit_in_process(home, arguments, monkeypatch, capsys)[0] == 0
    assert len(rows_of(tmp_path / "run" / "history.csv")) == 2


def test_tensorboard_logs_and_starting_weights(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    from cnnkit.cli.zoo_commands import build

    saved = build("fashion_cnn", (28, 28, 1), 10)
    saved.save_weights(tmp_path / "start.weights.h5")
    started = build("fashion_cnn", (28, 28, 1), 10, weights=str(tmp_path / "start.weights.h5"))
    for ours, theirs in zip(started.get_weights(), saved.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    second = tmp_path / "second"
    arguments = [*TRAIN, "--epochs", "1", "--out", second, "--weights", tmp_path / "start.weights.h5", "--tensorboard"]
    assert cnnkit_in_process(home, arguments, monkeypatch, capsys)[0] == 0
    assert list((second / "tensorboard").rglob("events.out.tfevents.*"))
    status, stderr = cnnkit_in_process(home, [*TRAIN, "--weights", "imagenet"], monkeypatch, capsys)
    assert status == 2 and one_line(stderr) and "--weights imagenet: fashion_cnn: there are no published" in stderr


def _image_folder(root: Path, counts: dict[str, int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    for label, count in counts.items():
        (root / label).mkdir(parents=True)
        for k in range(count):
            Image.fromarray(rng.integers(0, 256, (12, 12), dtype=np.uint8)).save(root / label / f"{k}.png")


def test_a_folder_with_its_own_train_val_and_test_splits(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    from cnnkit.datasets import image_folder

    _image_folder(tmp_path / "photos" / "train", {"cat": 12, "dog": 10}, 0)
    _image_folder(tmp_path / "photos" / "val", {"cat": 3, "dog": 2}, 1)
    _image_folder(tmp_path / "photos" / "test", {"cat": 4, "dog": 4}, 2)
    files = image_folder.list_files(tmp_path / "photos")
    assert (len(files.train), len(files.validation), len(files.test)) == (22, 5, 8)
    assert all(path.parts[-3] == "val" for path, _ in files.validation)
    run = tmp_path / "run"
    arguments = [*TRAIN, "--data", f"folder:{tmp_path / 'photos'}", "--out", run, "--batch-size", "8"]
    assert run_cli(home, arguments, monkeypatch) == 0
    assert "22 training, 5 validation, 8 test images of 12x12x1; 2 classes" in capsys.readouterr().out
    assert "val_accuracy" in rows_of(run / "history.csv")[0]
    # the data named as the user typed it (relative) is the run's own (saved absolute): not "a different run"
    monkeypatch.chdir(tmp_path)
    status, stderr = cnnkit_in_process(home, ["train", "--resume", run, "--data", "folder:photos"], monkeypatch, capsys)
    assert status == 2 and "holds no interrupted run" in stderr, stderr
    (tmp_path / "photos" / "test" / "bird").mkdir()
    Image.new("L", (12, 12)).save(tmp_path / "photos" / "test" / "bird" / "0.png")
    with pytest.raises(image_folder.DatasetError, match="bird: a class that .*train does not have"):
        image_folder.list_files(tmp_path / "photos")


def test_predict_reads_folders_and_globs_and_compare_overlays_finished_runs(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    runs = [tmp_path / "a", tmp_path / "b"]
    for run, model in zip(runs, ["fashion_cnn", "lenet5"]):
        arguments = [*TRAIN, "--model", model, "--out", run, "--epochs", "2"]
        assert cnnkit_in_process(home, arguments, monkeypatch, capsys)[0] == 0
    _image_folder(tmp_path / "scans", {"x": 2, "y": 1}, 0)
    pattern = str(tmp_path / "scans" / "x" / "*.png")
    capsys.readouterr()
    status = run_cli(home, ["predict", runs[0], tmp_path / "scans", pattern, "--json"], monkeypatch)
    answers = json.loads(capsys.readouterr().out)
    assert status == 0 and [Path(a["file"]).relative_to(tmp_path / "scans").as_posix() for a in answers] == [
        "x/0.png",
        "x/1.png",
        "y/0.png",
        "x/0.png",
        "x/1.png",
    ]
    status, stderr = cnnkit_in_process(home, ["predict", runs[0], str(tmp_path / "none*.png")], monkeypatch, capsys)
    assert status == 2 and "no file matches this pattern" in stderr
    out = tmp_path / "comparison"
    assert cnnkit_in_process(home, ["compare", *runs, "--out", out], monkeypatch, capsys)[0] == 0
    leaderboard = rows_of(out / "leaderboard.csv")
    assert {row["model"] for row in leaderboard} == {"a", "b"}
    assert (out / "curves.png").stat().st_size > 10_000
    for run, row in zip(runs, sorted(leaderboard, key=lambda row: row["model"])):
        seconds = [float(r["epoch_seconds"]) for r in rows_of(run / "history.csv")]
        assert float(row["seconds_per_epoch"]) == pytest.approx(seconds[1])  # the warm-up epoch left out


def test_help_shows_defaults_and_examples(capsys):
    from cnnkit.cli import main

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    flat = " ".join(text.split())
    assert "--batch-size BATCH_SIZE images per training step (default: 64)" in flat
    assert "--optimizer {adagrad,adam,adamw,rmsprop,sgd} the optimizer (default: adam)" in flat
    assert "examples:" in text and "cnnkit train --resume runs/" in text


def test_version_and_models_answer_without_importing_torch():
    code = "import sys; from cnnkit_command import main; main(%r); print('torch' in sys.modules)"
    for argv in (["--version"], ["models"]):
        result = subprocess.run([sys.executable, "-c", code % argv], capture_output=True, text=True, check=True)
        assert result.stdout.splitlines()[-1] == "False", result.stdout
    assert subprocess.run(
        [sys.executable, "-c", code % ["--version"]], capture_output=True, text=True
    ).stdout.startswith("cnnkit 0.1.0")


def test_the_frozen_zoo_table_is_what_the_models_measure():
    """cnnkit/cli/zoo_table.json against the live count, for the models that build in moments
    (every model in the slow target); scripts/zoo_table.py rewrites the file."""
    from cnnkit.applications import list_models
    from cnnkit.cli.zoo_commands import zoo_row
    from cnnkit_command import zoo_table_path

    frozen = {row["model"]: row for row in json.loads(zoo_table_path().read_text())}
    assert sorted(frozen) == list_models()
    for name in ("lenet5", "fashion_cnn", "resnet20", "lstm"):
        assert frozen[name] == zoo_row(name, None)


@pytest.mark.slow
def test_the_frozen_zoo_table_holds_every_model_as_measured():
    from cnnkit.applications import list_models
    from cnnkit.cli.zoo_commands import zoo_row
    from cnnkit_command import zoo_table_path

    assert json.loads(zoo_table_path().read_text()) == [zoo_row(name, None) for name in list_models()]


def test_export_refuses_formats_it_cannot_write_and_says_one_line(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    """A .tflite name got ONNX bytes before. (That an ONNX export prints its one line and nothing of
    the exporter's own logging is checked by test_cli_workflows' export through the entry point.)"""
    from cnnkit.cli.zoo_commands import build

    model_file = tmp_path / "model.keras"
    build("lenet5", (32, 32, 1), 10).save(model_file)
    for name in ("model.tflite", "model.pb", "model.bin"):
        status, stderr = cnnkit_in_process(home, ["export", model_file, tmp_path / name], monkeypatch, capsys)
        assert status == 2 and one_line(stderr) and not (tmp_path / name).exists(), stderr
    assert (
        "cnnkit does not write TensorFlow Lite; export ONNX"
        in cnnkit_in_process(home, ["export", model_file, tmp_path / "model.tflite"], monkeypatch, capsys)[1]
    )
