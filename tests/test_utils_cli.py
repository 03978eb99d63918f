import subprocess
import sys

import numpy as np
import pytest
import torch

import cnnkit
from cnnkit.utils import set_random_seed, to_categorical


def test_to_categorical_like_keras():
    np.testing.assert_array_equal(to_categorical([0, 2, 1]), np.eye(3, dtype=np.float32)[[0, 2, 1]])
    assert to_categorical(np.array([[1], [3]]), 5).shape == (2, 5)
    assert to_categorical([1], 4).dtype == np.float32
    with pytest.raises(ValueError, match="label 5 does not fit num_classes=3"):
        to_categorical([5], 3)
    with pytest.raises(ValueError, match="labels must be >= 0"):
        to_categorical([-1, 2])


def test_set_random_seed_makes_runs_repeat():
    set_random_seed(3)
    first = (np.random.rand(), torch.rand(1).item(), cnnkit.layers.Dense(2).units)
    a = cnnkit.layers.Dense(3)
    a.build_for((None, 4))
    set_random_seed(3)
    second = (np.random.rand(), torch.rand(1).item(), 2)
    b = cnnkit.layers.Dense(3)
    b.build_for((None, 4))
    assert first == second
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_namespace_mirrors_keras():
    for name in (
        "Sequential",
        "Input",
        "layers",
        "models",
        "optimizers",
        "losses",
        "metrics",
        "callbacks",
        "utils",
        "datasets",
    ):
        assert hasattr(cnnkit, name), name
    assert cnnkit.models.Sequential is cnnkit.Sequential
    assert hasattr(cnnkit.datasets.mnist, "load_data") and hasattr(cnnkit.datasets.fashion_mnist, "load_data")


def test_command_line_runs_as_module():
    out = subprocess.run([sys.executable, "-m", "cnnkit", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"cnnkit {cnnkit.__version__}"
    info = subprocess.run([sys.executable, "-m", "cnnkit", "info"], capture_output=True, text=True, check=True)
    assert "torch" in info.stdout and "MNIST" in info.stdout
