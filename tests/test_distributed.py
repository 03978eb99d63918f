"""Data parallelism through torchrun: two real CPU processes joined with gloo, against one process.

tests/ddp_program.py trains with a global batch of 16 (8 per process under torchrun); after its
epochs both processes hold identical weights, equal (to float rounding) to the single process's,
and the logged metrics, evaluate and predict are the global ones."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import subprocess_env
from image_files import write_image_folder
from test_cli import home  # noqa: F401 (a fixture)

HERE = Path(__file__).parent


def torchrun(*args, env=None, timeout=240):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env or subprocess_env())


def weights(result) -> list[np.ndarray]:
    return [result[name] for name in result.files if name.startswith("arr_")]


@pytest.mark.parametrize("source", ["arrays", "pydataset"])
def test_two_processes_train_like_one(tmp_path, source):
    (tmp_path / "two").mkdir()
    (tmp_path / "one").mkdir()
    run = torchrun(HERE / "ddp_program.py", tmp_path / "two", source)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    alone = subprocess.run(
        [sys.executable, HERE / "ddp_program.py", tmp_path / "one", source],
        capture_output=True,
        text=True,
        env=subprocess_env(),
    )
    assert alone.returncode == 0, alone.stderr[-3000:]
    first, second = np.load(tmp_path / "two" / "rank0.npz"), np.load(tmp_path / "two" / "rank1.npz")
    single = np.load(tmp_path / "one" / "rank0.npz")
    assert int(first["world"]) == 2 and int(single["world"]) == 1
    for a, b, c in zip(weights(first), weights(second), weights(single)):
        np.testing.assert_array_equal(a, b)  # DDP kept the processes in step
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)  # the same math as one process
    histories = [json.loads(str(r["history"])) for r in (first, second, single)]
    assert histories[0] == histories[1]
    for key, values in histories[2].items():  # logs are the global metrics, validation included
        np.testing.assert_allclose(histories[0][key], values, rtol=1e-5)
    np.testing.assert_allclose(first["evaluation"], single["evaluation"], rtol=1e-5)
    assert first["predictions"].shape == (96, 3)
    np.testing.assert_allclose(first["predictions"], single["predictions"], atol=1e-6)


@pytest.mark.parametrize("data", ["fashion_mnist", "streamed_folder"])
def test_cnnkit_train_under_torchrun(home, tmp_path, data):  # noqa: F811
    run = tmp_path / "run"
    extra = []
    if data == "streamed_folder":  # read from disk each epoch, each process its own batches
        pets = tmp_path / "pets"
        write_image_folder(pets, per_class=8, size=(28, 28), grey=True)
        (pets / "circle" / "broken.png").write_bytes(b"not an image")
        data, extra = f"folder:{pets}", ["--stream", "on"]
    args = ["-m", "cnnkit", "train", "--model", "lenet5_modern", "--data", data, "--epochs", "2", *extra]
    result = torchrun(*args, "--batch-size", "16", "--out", run, env=home)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.stdout.count("test accuracy") == 1  # process 0 alone reports and writes
    assert result.stderr.count("broken.png: not a readable image") == (1 if extra else 0)  # said once
    assert result.stderr.count("read from disk each epoch") == (1 if extra else 0)
    rows = list(csv.DictReader(open(run / "history.csv")))
    assert [row["epoch"] for row in rows] == ["0", "1"]
    assert (run / "report.html").exists() and not (run / "backup").exists()
    assert json.loads((run / "config.json").read_text())["batch_size"] == 16


def test_batch_size_must_divide_among_processes(tmp_path):
    program = tmp_path / "odd.py"
    program.write_text(
        (HERE / "ddp_program.py").read_text().replace("batch_size=16", "batch_size=15"), encoding="utf-8"
    )
    (tmp_path / "out").mkdir()
    result = torchrun(program, tmp_path / "out")
    assert result.returncode != 0
    assert "batch_size=15 is the global batch and must divide evenly among the 2 processes" in result.stderr


def test_a_script_sets_up_once_under_torchrun(tmp_path):
    """Before fit starts the process group, each process already knows its rank, so what a script
    prints while it sets up (flow_from_directory's "Found ...") comes from process 0 alone."""
    write_image_folder(tmp_path / "shapes", per_class=4, size=(8, 8))
    program = tmp_path / "setup.py"
    program.write_text(
        "import sys\n"
        "from cnnkit import distributed\n"
        "from cnnkit.preprocessing.image import ImageDataGenerator\n"
        "ImageDataGenerator().flow_from_directory(sys.argv[1], target_size=(8, 8))\n"
        "print('rank', distributed.rank(), 'main', distributed.is_main())\n"
    )
    result = torchrun(program, tmp_path / "shapes")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("Found 12 images belonging to 3 classes.") == 1
    assert sorted(line for line in result.stdout.splitlines() if line.startswith("rank")) == [
        "rank 0 main True",
        "rank 1 main False",
    ]


@pytest.fixture(autouse=True)
def _no_inherited_rendezvous(monkeypatch):
    """A test run itself started by torchrun must not hand its rendezvous to the processes it starts."""
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
