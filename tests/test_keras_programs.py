"""The project's own Keras programs (tests/keras_programs/), each written in the style of a public
Keras 2 or Keras 3 example and using the features it uses, run unmodified under
`cnnkit run --max-epochs 1 --max-samples 64`, on tiny MNIST and CIFAR-100 files where they read them. Each
program prints what it ran to; the test checks that line. bench/keras_programs.py runs the public
programs themselves."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_cifar100 import write_cifar100
from test_datasets import write_dataset

PROGRAMS = Path(__file__).parent / "keras_programs"

# program (and its arguments) -> what its last line starts with
EXPECTED = {
    ("vae_mlp.py", "3"): "keys ['loss', 'val_loss'] epochs 1 means (200, 2)",
    ("seq2seq.py",): "decoded 5 tokens",
    ("siamese.py",): "logged ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
    ("memory_network.py",): "answer shape (3, 20)",
    ("stateful_lstm.py",): "predicted (64, 1)",
    ("hierarchical_rnn.py",): "Test loss:",
    ("sklearn_search.py",): "metrics ['loss', 'accuracy']",
    ("conv_lstm.py",): "next frames (1, 5, 12, 12, 1)",
    ("distiller.py",): "distiller {'loss':",
    ("gradient_ascent.py",): "style loss fell True; dream loss rose True; grads (1, 9, 11, 3)",
    ("ctc_reader.py",): "ctc losses ['loss', 'val_loss'] decoded (8, 16)",
    ("masked_conv.py",): "masked taps 0.0 sampled 0 or 1 True",
    ("what_where.py",): "reconstructions (5, 1, 32, 32) pairs (5, 2, 32, 32) val_loss True",
    ("doodle_masks.py",): "doodle loss fell True; layers block1_conv1 mask_block1_conv1",
    ("patch_transformer.py",): "patches (1, 16, 48) tokens (None, 256, 16) depth modes [False, True]",
}


@pytest.fixture(scope="module")
def mnist_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    write_dataset(home / "datasets" / "mnist", n_train=80, n_test=40)
    write_cifar100(home / "datasets" / "cifar-100", np.random.default_rng(0), per_split=40)
    return home


@pytest.mark.parametrize("program", list(EXPECTED), ids=lambda program: program[0])
def test_program_runs_unmodified(program, mnist_home, tmp_path):
    script, *arguments = program
    command = [sys.executable, "-m", "cnnkit", "run", "--max-epochs", "1", "--max-samples", "64"]
    env = {**os.environ, "CNNKIT_HOME": str(mnist_home), "MPLBACKEND": "Agg", "CUDA_VISIBLE_DEVICES": ""}
    command += [str(PROGRAMS / script), *arguments]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(EXPECTED[program]), last
