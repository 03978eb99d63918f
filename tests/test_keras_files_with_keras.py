"""Round trips through real Keras 3 (slow; only where bench/keras_env.sh has made its environment):
files cnnkit writes load in Keras and predict the same, and Keras Applications weight files load
into cnnkit's builders of the same names and predict what Keras predicts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnkit import applications

ROOT = Path(__file__).resolve().parent.parent
KERAS_PYTHON = ROOT / "bench" / ".keras-env" / "bin" / "python"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not KERAS_PYTHON.exists(), reason="no Keras environment (run bench/keras_env.sh)"),
]
KERAS = {**os.environ, "KERAS_BACKEND": "jax"}


def test_files_cnnkit_writes_load_in_keras_and_predict_the_same(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "keras_files_check.py"), "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        env=KERAS,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if "max |keras - cnnkit|" in line or "FAILED" in line]
    assert result.returncode == 0 and len(lines) == 21, result.stdout + result.stderr[-3000:]


@pytest.fixture(scope="module")
def application_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("applications")
    script = ROOT / "bench" / "keras_applications_files.py"
    subprocess.run([str(KERAS_PYTHON), str(script), str(folder)], env=KERAS, check=True, capture_output=True)
    return folder


@pytest.mark.parametrize(
    "name", ["VGG16", "VGG19", "MobileNetV2", "MobileNet", "ResNet50", "ResNet50V2", "InceptionV3"]
)
def test_keras_applications_weight_files_load_into_the_builders(application_files, name):
    arguments = json.loads((application_files / "cases.json").read_text())[name]
    arguments["input_shape"] = tuple(arguments["input_shape"])
    if name.startswith("VGG"):
        arguments["small_input"] = False  # Keras's VGG keeps its 4096-wide head on small images
    model = getattr(applications, name)(weights=str(application_files / f"{name}.h5"), **arguments)
    expected = np.load(application_files / f"{name}_y.npy")
    actual = model.predict(np.load(application_files / f"{name}_x.npy"), verbose=0)
    # random weights without normalization grow VGG's activations to ~1e6: compare relative to them
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5 * max(1.0, float(np.abs(expected).max())))
