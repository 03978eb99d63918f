import os

import numpy as np
import pytest
import torch

import cnnkit

# The tests run on the CPU, also on a GPU machine, so that their CPU references hold everywhere;
# CNNKIT_TEST_DEVICE=cuda runs them on a GPU instead (bench/gpu_check.py holds the GPU checks).
TEST_DEVICE = os.environ.get("CNNKIT_TEST_DEVICE") or "cpu"


@pytest.fixture(autouse=True)
def fresh_session():
    """Each test starts with Keras naming from scratch, the same seeds and the test device."""
    cnnkit.backend.clear_session()
    cnnkit.utils.set_random_seed(1234)
    cnnkit.backend.set_device(TEST_DEVICE)
    yield
    cnnkit.backend.set_device(None)
    cnnkit.backend.set_image_data_format("channels_last")  # a test that set channels_first sets it back


def subprocess_env(**extra) -> dict:
    """The environment for a test's `cnnkit` subprocess: on the test device too."""
    env = dict(os.environ, **extra)
    if TEST_DEVICE == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def assert_close(actual, expected, atol=1e-5, rtol=1e-5):
    actual = actual.detach().cpu().numpy() if isinstance(actual, torch.Tensor) else np.asarray(actual)
    expected = expected.detach().cpu().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    np.testing.assert_allclose(actual, expected, atol=atol, rtol=rtol)
