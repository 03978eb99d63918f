"""`cnnkit run SCRIPT ARGS`: a program written for Keras runs unchanged, its `keras` and
`tensorflow.keras` imports resolving to cnnkit, with its own sys.argv and __name__; a program that
needs TensorFlow itself stops with one line naming what it used."""

import subprocess
import sys
import textwrap

KERAS_PROGRAM = """
import sys
import numpy as np
import keras
from keras.layers import Dense
from keras.models import Sequential
from tensorflow import keras as tf_keras
from tensorflow.keras import layers

assert tf_keras is keras and layers.Dense is Dense and keras.__name__ == "cnnkit"
model = Sequential([keras.Input((3,)), Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(np.random.rand(16, 3), np.random.randint(0, 2, 16), epochs=int(sys.argv[2]), verbose=0)
if __name__ == "__main__":
    print("epochs run:", len(history.history["loss"]), "arguments:", sys.argv[1:])
"""


def cnnkit_run(tmp_path, source: str, *arguments: str) -> subprocess.CompletedProcess:
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(source))
    command = [sys.executable, "-m", "cnnkit", "run", str(script), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_a_keras_program_runs_unchanged(tmp_path):
    result = cnnkit_run(tmp_path, KERAS_PROGRAM, "--epochs", "2")
    assert result.returncode == 0, result.stderr
    assert "epochs run: 2 arguments: ['--epochs', '2']" in result.stdout


def test_tensorflow_itself_stops_with_one_line(tmp_path):
    result = cnnkit_run(tmp_path, "import tensorflow as tf\nbatches = tf.data.Dataset.range(3)\n")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "cnnkit run: this program uses TensorFlow itself (tf.data); cnnkit runs Keras code on PyTorch and has no "
        "tf.data: replace it with its Keras or torch equivalent"
    ]


def test_a_missing_script_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cnnkit", "run", str(tmp_path / "nowhere.py")], capture_output=True, text=True
    )
    assert result.returncode == 2 and result.stderr.strip().endswith("nowhere.py: no such file")


def test_install_in_a_notebook_maps_the_imports():
    code = (
        "import cnnkit.keras_alias as a; a.install(); import keras.layers.core as core; import cnnkit; "
        "from tensorflow.keras.callbacks import EarlyStopping; "
        "assert core is cnnkit.layers.core and EarlyStopping is cnnkit.callbacks.EarlyStopping; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "ok", result.stderr
