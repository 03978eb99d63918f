"""`cnnkit run SCRIPT ARGS`: a program written for Keras runs unchanged, its `keras` and
`tensorflow.keras` imports resolving to cnnkit, with its own sys.argv and __name__; a program that
needs TensorFlow itself stops with one line naming what it used."""

import os
import subprocess
import sys
import textwrap

import pytest
from test_datasets import write_dataset

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
    # tf.is_tensor answers (matplotlib asks it of any loaded tensorflow); tf.data stops the program
    program = "import tensorflow as tf\nassert tf.is_tensor(1) is False\nbatches = tf.data.Dataset.range(3)\n"
    result = cnnkit_run(tmp_path, program)
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


CAPPED_PROGRAM = """
import numpy as np
import keras
from keras.datasets import mnist
from keras.optimizers import Adadelta

(x_train, y_train), (x_test, y_test) = mnist.load_data()
print("loaded", len(x_train), len(x_test))
model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer=Adadelta(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
print("learning rate", float(model.optimizer.learning_rate))
seen = []
batches = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
history = model.fit(x_train / 255.0, y_train, batch_size=10, epochs=50, callbacks=[batches], verbose=0)
print("epochs", len(history.history["loss"]), "batches", len(seen))

def endless():
    while True:
        yield np.zeros((8, 28, 28)), np.zeros(8)

history = model.fit(endless(), steps_per_epoch=1000, epochs=3, verbose=0)
print("generator epochs", len(history.history["loss"]))

print("old numpy names", np.float is float, np.int is int, np.float_ is np.float64)
a, b = keras.Input((2,)), keras.Input((3,))
pair = keras.Model([a, b], keras.layers.concatenate([a, b]))
out = pair.predict([np.ones((4, 2)), np.arange(30.0).reshape(10, 3)], verbose=0)
print("first input decides", out.shape, out[3, 2:].tolist())
left = np.full(3, 2.0, dtype="float32") - keras.ops.ones(3)
print("array on the left", type(left).__name__, left.tolist())
"""


@pytest.fixture
def mnist_files(tmp_path):
    """A CNNKIT_HOME whose MNIST holds 50 training and 40 test images."""
    write_dataset(tmp_path / "home" / "datasets" / "mnist", n_train=50, n_test=40)
    return tmp_path / "home"


def test_caps_and_keras_2_defaults_for_a_smoke_run(tmp_path, mnist_files):
    env_home = {"CNNKIT_HOME": str(mnist_files)}
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(CAPPED_PROGRAM))
    command = [sys.executable, "-m", "cnnkit", "run", "--max-epochs", "2", "--max-samples", "30", "--keras", "2"]
    result = subprocess.run(
        [*command, str(script)], capture_output=True, text=True, timeout=300, env={**os.environ, **env_home}
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "loaded 30 30" in lines  # every split of load_data cut to 30 samples
    assert "learning rate 1.0" in lines  # Keras 2's Adadelta
    assert "epochs 2 batches 6" in lines  # 2 epochs of 30 samples in batches of 10
    assert "generator epochs 2" in lines  # a generator's epoch stops after 30 samples (4 batches of 8)
    assert "old numpy names True True True" in lines  # NumPy's names of Keras 2.3's time (conv_lstm.py's np.float)
    # Keras 2.3's predict takes the sample count from the first input (cnn_seq2seq.py relies on it)
    assert "first input decides (4, 5) [9.0, 10.0, 11.0]" in lines
    assert "array on the left Tensor [1.0, 1.0, 1.0]" in lines  # torch alone refuses array - tensor


def test_a_keras_name_cnnkit_lacks_is_one_line_naming_it(tmp_path):
    result = cnnkit_run(tmp_path, "import keras\nfrom keras.layers import NoSuchLayer\n")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "cnnkit run: program.py, line 2: cnnkit has no keras.layers.NoSuchLayer (a Keras name it does not provide yet)"
    ]
    refused = cnnkit_run(tmp_path, "import keras\nkeras.layers.Dense(-3)\n")
    assert refused.returncode == 2 and refused.stderr.strip().startswith("cnnkit run: program.py, line 2: Dense")
    assert len(refused.stderr.strip().splitlines()) == 1
    own_bug = cnnkit_run(tmp_path, "import keras\nraise ValueError('the program itself')\n")
    assert own_bug.returncode == 1 and "Traceback" in own_bug.stderr  # its own errors keep Python's traceback
