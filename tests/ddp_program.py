"""A training script run by tests/test_distributed.py twice: under torchrun with 2 processes, and
alone. It writes what each process ends with to OUT/rank<r>.npz."""

import json
import sys

import numpy as np

import cnnkit as keras
from cnnkit import distributed, layers

out = sys.argv[1]
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.random((96, 8, 8, 1), dtype=np.float32)
y = rng.integers(0, 3, 96)
model = keras.Sequential(
    [
        layers.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ]
)
model.compile(
    optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
)
history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_split=0.25)
evaluation = model.evaluate(x, y, verbose=0)
predictions = model.predict(x, verbose=0)
np.savez(
    f"{out}/rank{distributed.rank()}.npz",
    *model.get_weights(),
    history=json.dumps(history.history),
    evaluation=np.array(evaluation),
    predictions=predictions,
    world=distributed.world_size(),
)
