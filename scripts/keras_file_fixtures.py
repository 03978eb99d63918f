"""Writes the Keras-made fixture files of tests/data/keras_files/: five small models saved by real
Keras 3 as `.keras` and as legacy `.h5`, one also as `.weights.h5` and as a legacy weights-only
`.h5`, with Keras's predictions on fixed inputs in predictions.npz. tests/test_keras_files.py loads
them into cnnkit on every test run, without Keras installed.

The models: the seed's Fashion-MNIST CNN and its dropout version (on 8x8 images, to keep the files
small), a functional residual block with two parallel branches, an LSTM text classifier on
integer ids, and a dense network with BatchNormalization and Dropout. Every weight is random (moving
variances positive) so no default value can hide a misplaced weight; the residual block is also
trained for a step, so its files carry Adam's state and a training config.

Run with Keras 3 on its JAX backend (bench/keras_env.sh installs it):
    KERAS_BACKEND=jax bench/.keras-env/bin/python scripts/keras_file_fixtures.py
"""

from __future__ import annotations

from pathlib import Path

import h5py
import keras
import numpy as np
from keras import layers
from keras.src.legacy.saving import legacy_h5_format

TARGET = Path(__file__).resolve().parent.parent / "tests" / "data" / "keras_files"


def fashion_cnn(dropout: bool) -> keras.Model:
    model = keras.Sequential(name="fashion_cnn_dropout" if dropout else "fashion_cnn")
    model.add(keras.Input((8, 8, 1)))
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, (3, 3), activation="linear", padding="same"))
        model.add(layers.LeakyReLU(negative_slope=0.1))
        model.add(layers.MaxPooling2D((2, 2), padding="same"))
        if dropout:
            model.add(layers.Dropout(0.25 if filters < 128 else 0.4))
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation="linear"))
    model.add(layers.LeakyReLU(negative_slope=0.1))
    if dropout:
        model.add(layers.Dropout(0.3))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def residual_block() -> keras.Model:
    inputs = keras.Input((8, 8, 3), name="image")
    stem = layers.Conv2D(8, 3, padding="same", use_bias=False)(inputs)
    stem = layers.BatchNormalization()(stem)
    stem = layers.Activation("relu")(stem)
    branch = layers.Conv2D(8, 3, padding="same")(stem)
    branch = layers.BatchNormalization()(branch)
    branch = layers.ReLU()(branch)
    branch = layers.Conv2D(8, 3, padding="same")(branch)
    shortcut = layers.Conv2D(8, 1)(inputs)  # met late by Keras's walk: its place in the order matters
    merged = layers.Add()([branch, shortcut, stem])
    pooled = layers.GlobalAveragePooling2D()(layers.Activation("relu")(merged))
    outputs = layers.Dense(5, activation="softmax")(pooled)
    model = keras.Model(inputs, outputs, name="residual_block")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def lstm_classifier() -> keras.Model:
    inputs = keras.Input((12,), dtype="int32")
    x = layers.Embedding(50, 8)(inputs)
    x = layers.LSTM(16, return_sequences=True)(x)
    x = layers.LSTM(8)(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="lstm_classifier")
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def batchnorm_dropout() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((20,)),
            layers.Dense(32, activation="relu"),
            layers.BatchNormalization(momentum=0.9, epsilon=1e-3),
            layers.Dropout(0.5),
            layers.Dense(16, activation="tanh"),
            layers.BatchNormalization(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="batchnorm_dropout",
    )
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="binary_crossentropy")
    return model


def randomize(model: keras.Model, rng) -> None:
    weights = []
    for variable in model.weights:
        value = rng.standard_normal(variable.shape).astype("float32") * 0.3
        if "variance" in variable.path:
            value = np.abs(value) + 0.5
        weights.append(value)
    model.set_weights(weights)


def inputs_for(model: keras.Model, rng) -> np.ndarray:
    shape = (4, *model.input_shape[1:])
    if model.name == "lstm_classifier":
        return rng.integers(0, 50, size=shape).astype("int32")
    return rng.standard_normal(shape).astype("float32")


def main() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    TARGET.mkdir(parents=True, exist_ok=True)
    predictions = {}
    for model in (fashion_cnn(False), fashion_cnn(True), residual_block(), lstm_classifier(), batchnorm_dropout()):
        randomize(model, rng)
        x = inputs_for(model, rng)
        if model.name == "residual_block":  # one step: Adam's state and the training config in the files
            model.fit(x, np.array([0, 1, 2, 3]), epochs=1, verbose=0)
        predictions[f"{model.name}/x"] = x
        predictions[f"{model.name}/y"] = np.asarray(model.predict(x, verbose=0))
        model.save(TARGET / f"{model.name}.keras")
        model.save(TARGET / f"{model.name}.h5")
        if model.name == "residual_block":
            model.save_weights(TARGET / f"{model.name}.weights.h5")
            with h5py.File(TARGET / f"{model.name}_legacy_weights.h5", "w") as handle:
                legacy_h5_format.save_weights_to_hdf5_group(handle, model)
        print(f"{model.name}: {model.count_params()} parameters")
    np.savez_compressed(TARGET / "predictions.npz", **predictions)
    print(f"Keras {keras.__version__} ({keras.backend.backend()}) -> {TARGET}")


if __name__ == "__main__":
    main()
