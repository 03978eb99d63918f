import numpy as np
import pytest
import torch

import cnnkit


@pytest.fixture(autouse=True)
def fresh_session():
    """Each test starts with Keras naming from scratch and the same seeds."""
    cnnkit.backend.clear_session()
    cnnkit.utils.set_random_seed(1234)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def assert_close(actual, expected, atol=1e-5, rtol=1e-5):
    actual = actual.detach().cpu().numpy() if isinstance(actual, torch.Tensor) else np.asarray(actual)
    expected = expected.detach().cpu().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    np.testing.assert_allclose(actual, expected, atol=atol, rtol=rtol)
