"""A training script run by tests/test_distributed.py twice: under torchrun with 2 processes, and
alone. It writes what each process ends with to OUT/rank<r>.npz."""

import json
import os
import sys

import numpy as np

import cnnkit as keras
from cnnkit import distributed, layers

out = sys.argv[1]
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.random((96, 8, 8, 1), dtype=np.float32)
y = keras.utils.to_categorical(rng.integers(0, 3, 96), 3)  # one-hot, for AUC's counts as well
model = keras.Sequential(
    [
        layers.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ]
)
model.compile(
    optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
    loss="categorical_crossentropy",
    metrics=["accuracy", keras.metrics.AUC(name="auc")],  # AUC's threshold counts are summed over processes too
)
if sys.argv[2:] == ["pydataset"]:
    # The same global batches of 16 from a PyDataset: batches of 8 that the processes split
    # between them (one of 16 alone); validation from a PyDataset too.
    per_batch = 16 // int(os.environ.get("WORLD_SIZE", "1"))  # fit joins the processes later

    class Batches(keras.utils.PyDataset):
        def __init__(self, part):
            super().__init__(workers=2)
            self.x, self.y = x[part], y[part]

        def __len__(self):
            return len(self.x) // per_batch

        def __getitem__(self, index):
            return self.x[index * per_batch : (index + 1) * per_batch], self.y[
                index * per_batch : (index + 1) * per_batch
            ]

    training, validation = Batches(slice(None, 64)), Batches(slice(64, None))
    history = model.fit(training, validation_data=validation, epochs=2, verbose=0, shuffle=False)
else:
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
