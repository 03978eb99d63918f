"""The command line under misuse and faults (issue 21): one writer per run folder, the output
checked before the data loads, damaged files and failed writes as one line, Ctrl-C advice that
holds. In-process through cnnkit.cli.main, on the tiny data set of test_cli."""

import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import cnnkit_in_process, home  # noqa: F401 (home is a fixture)

TRAIN = ["train", "--model", "fashion_cnn", "--data", "fashion_mnist", "--epochs", "1", "--batch-size", "32"]


def one_line(stderr: str) -> bool:
    return len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def test_a_second_run_into_a_busy_folder_is_refused_and_the_first_keeps_its_backup(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    run = tmp_path / "run"
    (run / "backup").mkdir(parents=True)
    (run / "backup" / "backup.cnnkit").write_bytes(b"the first run's backup")
    first = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # a live writer
    try:
        (run / ".lock").write_text(str(first.pid))
        status, stderr = cnnkit_in_process(home, [*TRAIN, "--out", run, "--exist-ok"], monkeypatch, capsys)
    finally:
        first.kill()
        first.wait()
    assert status == 2 and one_line(stderr)
    assert f"{run} is in use by another cnnkit run (process {first.pid})" in stderr
    assert (run / "backup" / "backup.cnnkit").read_bytes() == b"the first run's backup"


def test_a_lock_left_by_a_killed_run_is_taken_over(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    run = tmp_path / "run"
    run.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (run / ".lock").write_text(str(dead.pid))
    status, stderr = cnnkit_in_process(home, [*TRAIN, "--out", run, "--exist-ok"], monkeypatch, capsys)
    assert status == 0, stderr
    assert (run / "best.keras").exists() and not (run / ".lock").exists()


def test_out_naming_a_file_is_refused_before_the_data_loads(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    (tmp_path / "notes.txt").write_text("mine")
    arguments = [*TRAIN, "--data", f"folder:{tmp_path / 'no_such_folder'}", "--out", tmp_path / "notes.txt"]
    status, stderr = cnnkit_in_process(home, arguments, monkeypatch, capsys)
    assert status == 2 and one_line(stderr) and "notes.txt is a file; give a folder for the run" in stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_damaged_config_json_is_one_line_naming_it(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    run = tmp_path / "run"
    assert cnnkit_in_process(home, [*TRAIN, "--out", run], monkeypatch, capsys)[0] == 0
    config = (run / "config.json").read_text()
    (run / "config.json").write_text("{not json")
    status, stderr = cnnkit_in_process(home, ["evaluate", run], monkeypatch, capsys)
    assert status == 2 and one_line(stderr) and f"{run / 'config.json'} is not valid JSON" in stderr
    (run / "config.json").write_text(config)
    (tmp_path / "notes.txt").write_text("a file, where the JSON's folder should be")
    elsewhere = tmp_path / "notes.txt" / "x.json"
    status, stderr = cnnkit_in_process(home, ["evaluate", run, "--json", elsewhere], monkeypatch, capsys)
    assert status == 2 and one_line(stderr) and f"cannot write {elsewhere}" in stderr


@pytest.mark.parametrize("top", ["0", "-1"])
def test_predict_top_must_be_positive(home, tmp_path, monkeypatch, capsys, top):  # noqa: F811
    status, stderr = cnnkit_in_process(home, ["predict", tmp_path, "x.png", "--top", top], monkeypatch, capsys)
    assert status == 2 and "--top" in stderr


def test_ctrl_c_before_the_first_epoch_ends_does_not_advise_resume(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    """Interrupted inside epoch 1 there is no backup, so --resume would refuse: the advice says so."""
    from cnnkit.cli import parser, train

    monkeypatch.setenv("CNNKIT_HOME", home["CNNKIT_HOME"])
    monkeypatch.setattr(train, "fit_into", lambda *args, **kwargs: False)  # Ctrl-C during the first epoch
    assert train.train_one(parser().parse_args([*TRAIN, "--out", str(tmp_path / "run")])) is None
    output = capsys.readouterr().out
    assert "no epoch had finished, so there is nothing to resume" in output and "--resume" not in output


def test_predict_on_a_decompression_bomb_is_one_line(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    from test_hardening import decompression_bomb_png
    from test_keras_files import FIXTURES

    decompression_bomb_png(tmp_path / "bomb.png")
    model = FIXTURES / "fashion_cnn.keras"
    status, stderr = cnnkit_in_process(home, ["predict", model, tmp_path / "bomb.png"], monkeypatch, capsys)
    assert status == 2 and one_line(stderr) and "bomb.png: not a readable image" in stderr


def test_a_read_only_output_folder_is_refused_before_the_data_loads(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    """A read-only file system (tmpfs mounted ro, where the machine allows it; root ignores chmod)."""
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(readonly)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here ({mounted.stderr.decode().strip() or 'not root'})")
    try:
        arguments = [*TRAIN, "--data", f"folder:{tmp_path / 'nothing'}", "--out", readonly / "run"]  # fails later
        status, stderr = cnnkit_in_process(home, arguments, monkeypatch, capsys)
    finally:
        subprocess.run(["umount", str(readonly)], check=False)
    assert status == 2 and one_line(stderr) and f"cannot make the run folder {readonly / 'run'}" in stderr


def test_without_out_a_run_never_replaces_an_earlier_one(home, tmp_path, monkeypatch, capsys):  # noqa: F811
    """runs/MODEL-DATA, then runs/MODEL-DATA-2 (as Ultralytics and Lightning number runs); --resume takes the latest."""
    from cnnkit.cli.train import numbered_folder

    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        assert cnnkit_in_process(home, TRAIN, monkeypatch, capsys)[0] == 0
    runs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert runs == ["fashion_cnn-fashion_mnist", "fashion_cnn-fashion_mnist-2"]
    assert all((tmp_path / "runs" / name / "metrics.json").exists() for name in runs)
    base = Path("runs") / "fashion_cnn-fashion_mnist"
    assert numbered_folder(base, resume=True) == base.with_name("fashion_cnn-fashion_mnist-2")
    assert numbered_folder(base, resume=False) == base.with_name("fashion_cnn-fashion_mnist-3")
