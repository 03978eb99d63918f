"""Keras 3 side of bench/frameworks.py, run in bench/.keras-env (keras, jax, torch; not project
dependencies) with KERAS_BACKEND=torch or jax:

    KERAS_BACKEND=jax bench/.keras-env/bin/python bench/keras_worker.py MODEL SAMPLES EPOCHS BATCH

Prints one JSON line: training images/s (best epoch after the first) and predict images/s at
batch 1024 (the best of 3 calls after the first, which compiles).
"""

from __future__ import annotations

import json
import sys
import time

import keras
import numpy as np
from keras import layers, ops


def fashion_cnn():
    model = keras.Sequential([keras.Input((28, 28, 1))])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same"))
        model.add(layers.LeakyReLU(0.1))
        model.add(layers.MaxPooling2D(2, padding="same"))
    model.add(layers.Flatten())
    model.add(layers.Dense(128))
    model.add(layers.LeakyReLU(0.1))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def lenet5():
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(6, 5, activation="tanh", padding="same"),
            layers.AveragePooling2D(2),
            layers.Conv2D(16, 5, activation="tanh"),
            layers.AveragePooling2D(2),
            layers.Conv2D(120, 5, activation="tanh"),
            layers.Flatten(),
            layers.Dense(84, activation="tanh"),
            layers.Dense(10, activation="softmax"),
        ]
    )


def resnet20():
    def conv_bn(x, filters, strides=1, relu=True):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
        return layers.ReLU()(x) if relu else x

    inputs = keras.Input((32, 32, 3))
    x = conv_bn(inputs, 16)
    for stage, filters in enumerate((16, 32, 64)):
        for block in range(3):
            strides = 2 if stage and not block else 1
            y = conv_bn(conv_bn(x, filters, strides), filters, relu=False)
            shortcut = x
            if strides == 2:  # option A: subsample and pad the channels with zeros
                shortcut = layers.Lambda(
                    lambda t, f=filters: ops.pad(t[:, ::2, ::2, :], [[0, 0], [0, 0], [0, 0], [f // 4, f // 4]])
                )(x)
            x = layers.ReLU()(layers.Add()([y, shortcut]))
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


def lstm():
    return keras.Sequential([keras.Input((28, 28)), layers.LSTM(128), layers.Dense(10, activation="softmax")])


SHAPES = {"fashion_cnn": (28, 28, 1), "lenet5": (28, 28, 1), "resnet20": (32, 32, 3), "lstm": (28, 28)}
BUILDERS = {"fashion_cnn": fashion_cnn, "lenet5": lenet5, "resnet20": resnet20, "lstm": lstm}


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


def main() -> None:
    name, samples, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((samples, *SHAPES[name]), dtype=np.float32)
    y = rng.integers(0, 10, samples)
    model = BUILDERS[name]()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
    model.predict(x, batch_size=1024, verbose=0)
    predict_seconds = float("inf")
    for _ in range(3):  # the best of 3 calls, after the first (which compiles), as frameworks.py does
        start = time.perf_counter()
        model.predict(x, batch_size=1024, verbose=0)
        predict_seconds = min(predict_seconds, time.perf_counter() - start)
    print(json.dumps({"train": samples / min(timer.times[1:]), "predict": samples / predict_seconds}))


if __name__ == "__main__":
    main()
