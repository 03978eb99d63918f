"""The two tutorial programs of the core issue, written exactly as for Keras (imports aside)."""

import cnnkit as keras
from cnnkit import layers
from cnnkit.layers import Conv2D, Dense, Flatten, LeakyReLU, MaxPooling2D
from cnnkit.models import Sequential


def fashion_cnn(num_classes=10):
    fashion_model = Sequential()
    fashion_model.add(Conv2D(32, kernel_size=(3, 3), activation="linear", input_shape=(28, 28, 1), padding="same"))
    fashion_model.add(LeakyReLU(alpha=0.1))
    fashion_model.add(MaxPooling2D((2, 2), padding="same"))
    fashion_model.add(Conv2D(64, (3, 3), activation="linear", padding="same"))
    fashion_model.add(LeakyReLU(alpha=0.1))
    fashion_model.add(MaxPooling2D(pool_size=(2, 2), padding="same"))
    fashion_model.add(Conv2D(128, (3, 3), activation="linear", padding="same"))
    fashion_model.add(LeakyReLU(alpha=0.1))
    fashion_model.add(MaxPooling2D(pool_size=(2, 2), padding="same"))
    fashion_model.add(Flatten())
    fashion_model.add(Dense(128, activation="linear"))
    fashion_model.add(LeakyReLU(alpha=0.1))
    fashion_model.add(Dense(num_classes, activation="softmax"))
    fashion_model.compile(
        loss=keras.losses.categorical_crossentropy, optimizer=keras.optimizers.Adam(), metrics=["accuracy"]
    )
    return fashion_model


def lenet_9_lines():
    model = keras.Sequential()
    model.add(layers.Conv2D(filters=6, kernel_size=(3, 3), activation="relu", input_shape=(32, 32, 1)))
    model.add(layers.AveragePooling2D())
    model.add(layers.Conv2D(filters=16, kernel_size=(3, 3), activation="relu"))
    model.add(layers.AveragePooling2D())
    model.add(layers.Flatten())
    model.add(layers.Dense(units=120, activation="relu"))
    model.add(layers.Dense(units=84, activation="relu"))
    model.add(layers.Dense(units=10, activation="softmax"))
    return model
