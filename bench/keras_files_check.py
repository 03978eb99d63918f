"""Do files that cnnkit writes load in real Keras 3 and predict the same? Builds models in cnnkit
(the seed's CNN as its users write it, its dropout version, a functional residual block, an LSTM
classifier on integer ids, BatchNormalization with Dropout, a nested model as transfer learning
makes, bidirectional GRUs, TimeDistributed), trains each for a step so no weight is at its
initial value, saves each as `.keras`, `.h5` and `.weights.h5`, then has real Keras load them
(bench/keras_files_keras_side.py, in the Keras environment of bench/keras_env.sh) and compares
Keras's predictions with cnnkit's.

    .venv/bin/python bench/keras_files_check.py [--keras-python bench/.keras-env/bin/python]

Prints one line per file and exits 1 if any differs by more than 1e-5 or fails to load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import cnnkit
from cnnkit import layers

ROOT = Path(__file__).resolve().parent.parent


def seed_cnn(dropout: bool):
    model = cnnkit.Sequential(name="seed_cnn_dropout" if dropout else "seed_cnn")
    model.add(layers.Conv2D(32, kernel_size=(3, 3), activation="linear", input_shape=(28, 28, 1), padding="same"))
    model.add(layers.LeakyReLU(alpha=0.1))
    model.add(layers.MaxPooling2D((2, 2), padding="same"))
    if dropout:
        model.add(layers.Dropout(0.25))
    model.add(layers.Conv2D(64, (3, 3), activation="linear", padding="same"))
    model.add(layers.LeakyReLU(alpha=0.1))
    model.add(layers.MaxPooling2D(pool_size=(2, 2), padding="same"))
    model.add(layers.Flatten())
    model.add(layers.Dense(32, activation="linear"))
    model.add(layers.LeakyReLU(alpha=0.1))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def residual_block():
    inputs = cnnkit.Input((8, 8, 3))
    stem = layers.Activation("relu")(layers.BatchNormalization()(layers.Conv2D(8, 3, padding="same")(inputs)))
    branch = layers.Conv2D(8, 3, padding="same")(layers.ReLU()(layers.BatchNormalization()(stem)))
    shortcut = layers.Conv2D(8, 1)(inputs)
    merged = layers.Add()([branch, shortcut, stem])
    outputs = layers.Dense(5, activation="softmax")(layers.GlobalAveragePooling2D()(merged))
    model = cnnkit.Model(inputs, outputs, name="residual_block")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def lstm_classifier():
    inputs = cnnkit.Input((12,), dtype="int32")
    x = layers.LSTM(8)(layers.LSTM(16, return_sequences=True)(layers.Embedding(50, 8)(inputs)))
    model = cnnkit.Model(inputs, layers.Dense(3, activation="softmax")(x), name="lstm_classifier")
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def batchnorm_dropout():
    model = cnnkit.Sequential(
        [
            layers.Input((20,)),
            layers.Dense(32, activation="relu"),
            layers.BatchNormalization(momentum=0.9),
            layers.Dropout(0.5),
            layers.Dense(16, activation="tanh"),
            layers.BatchNormalization(),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="batchnorm_dropout",
    )
    model.compile(optimizer=cnnkit.optimizers.SGD(0.01, momentum=0.9), loss="binary_crossentropy")
    return model


def transfer():
    base = cnnkit.Sequential(
        [layers.Input((8, 8, 1)), layers.Conv2D(4, 3), layers.BatchNormalization(), layers.MaxPooling2D()], name="base"
    )
    base.trainable = False
    inputs = cnnkit.Input((8, 8, 1))
    outputs = layers.Dense(3, activation="softmax")(layers.Flatten()(base(inputs)))
    model = cnnkit.Model(inputs, outputs, name="transfer")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def sequences():
    inputs = cnnkit.Input((6, 4))
    x = layers.Bidirectional(layers.GRU(5, return_sequences=True))(inputs)
    x = layers.TimeDistributed(layers.Dense(3))(x)
    x = layers.SimpleRNN(4)(x)
    model = cnnkit.Model(inputs, layers.Dense(2, activation="softmax")(x), name="sequences")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def data_for(model, rng):
    shape = tuple(model.input_shape[1:])
    if model.name == "lstm_classifier":
        x = rng.integers(0, 50, size=(16, *shape)).astype("float32")
    else:
        x = rng.standard_normal((16, *shape)).astype("float32")
    classes = model.output_shape[-1]
    y = rng.integers(0, max(classes, 2), size=16)
    if model.name.startswith("seed_cnn"):
        y = np.eye(10, dtype="float32")[y]
    if classes == 1:
        y = (y % 2).astype("float32")
    return x, y


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keras-python", default=str(ROOT / "bench" / ".keras-env" / "bin" / "python"))
    parser.add_argument("--folder", default=None, help="where to write the files (default: a temporary folder)")
    arguments = parser.parse_args()
    cnnkit.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    folder = Path(arguments.folder or tempfile.mkdtemp(prefix="cnnkit-keras-files-"))
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for build in (
        lambda: seed_cnn(False),
        lambda: seed_cnn(True),
        residual_block,
        lstm_classifier,
        batchnorm_dropout,
        transfer,
        sequences,
    ):
        model = build()
        x, y = data_for(model, rng)
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
        expected = model.predict(x, verbose=0)
        np.save(folder / f"{model.name}_x.npy", x.astype("int32") if model.name == "lstm_classifier" else x)
        np.save(folder / f"{model.name}_y.npy", expected)
        for ext in ("keras", "h5"):
            model.save(folder / f"{model.name}.{ext}")
            cases.append({"file": f"{model.name}.{ext}", "model": model.name})
        model.save_weights(folder / f"{model.name}.weights.h5")
        cases.append({"file": f"{model.name}.weights.h5", "model": model.name, "architecture": f"{model.name}.keras"})
    (folder / "cases.json").write_text(json.dumps(cases))
    environment = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    side = ROOT / "bench" / "keras_files_keras_side.py"
    result = subprocess.run([arguments.keras_python, str(side), str(folder)], env=environment, check=False)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
