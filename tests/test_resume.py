"""Resuming: a run killed with SIGKILL part-way and started again with BackupAndRestore ends with
exactly the weights of an uninterrupted run (same seed, CPU)."""

import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import subprocess_env
from safetensors.numpy import load_file

TRAINING_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import numpy as np
    import cnnkit as keras
    from cnnkit import callbacks, layers

    backup_dir, kill_at, weights_path, source = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((64, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 3, 64)
    if source in ("flow", "seeded_flow"):  # augmented batches, made ahead by worker threads
        from cnnkit.preprocessing.image import ImageDataGenerator
        seed = 7 if source == "seeded_flow" else None  # seeded: batches keyed by (seed, epoch, batch)
        flow = ImageDataGenerator(rotation_range=20, horizontal_flip=True).flow(x, y, batch_size=16, seed=seed)
        flow.workers = 2
        x, y = flow, None
    elif source not in ("arrays", "plateau"):  # image files read by background threads, reshuffled every epoch
        from PIL import Image
        from cnnkit.datasets import folder_batches, image_folder
        for n, (image, label) in enumerate(zip(x, y)):
            os.makedirs(f"{source}/{label}", exist_ok=True)
            Image.fromarray((image[..., 0] * 255).astype("uint8")).save(f"{source}/{label}/{n}.png")
        files = image_folder.list_files(source, test_fraction=0.0)
        x, y = folder_batches.FolderBatches(files.train, files.image_shape, batch_size=16, workers=2), None
    model = keras.Sequential([
        layers.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.BatchNormalization(),
        layers.Flatten(),
        layers.Dropout(0.5),  # random: the generators' states must come back too
        layers.Dense(3, activation="softmax"),
    ])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, 4, 0.5)
    rate = 0.01 if source == "plateau" else schedule  # ReduceLROnPlateau sets the rate itself
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy")

    class KillMidEpoch(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == kill_at and batch == 1:
                os.kill(os.getpid(), signal.SIGKILL)  # no clean-up, no flushing: a real crash

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    extra = [KillMidEpoch()] if kill_at >= 0 else []
    if source == "plateau":  # no epoch improves by 1.0: halves the rate every second epoch, if its count survives
        extra.append(callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=2, min_delta=1.0))
    batch_size = 16 if y is not None else None  # a dataset sets its own
    backup = callbacks.BackupAndRestore(backup_dir)
    model.fit(x, y, batch_size=batch_size, epochs=5, verbose=0, callbacks=[backup, *extra])
    model.save_weights(weights_path)
    """
)


def run(script, *args):
    return subprocess.run(
        [sys.executable, str(script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=subprocess_env(),
    )


# Generators resume in the slow target (three subprocess runs each): the default run keeps arrays,
# a streamed folder and the plateau callback's state.
SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    "kill_at, source",
    [
        (0, "arrays"),
        (3, "arrays"),
        (3, "folder"),
        pytest.param(2, "flow", marks=SLOW),
        pytest.param(3, "seeded_flow", marks=SLOW),
        (3, "plateau"),
    ],
)
def test_a_killed_run_resumes_to_the_same_weights(tmp_path, kill_at, source):
    script = tmp_path / "train.py"
    script.write_text(TRAINING_SCRIPT)
    source = tmp_path / "images" if source == "folder" else source
    straight = run(script, tmp_path / "backup_a", -1, tmp_path / "straight.safetensors", source)
    assert straight.returncode == 0, straight.stderr

    killed = run(script, tmp_path / "backup_b", kill_at, tmp_path / "never.safetensors", source)
    assert killed.returncode == -signal.SIGKILL
    assert not (tmp_path / "never.safetensors").exists()
    has_backup = (tmp_path / "backup_b" / "backup.cnnkit").exists()
    assert has_backup == (kill_at > 0)  # killed in epoch 0: nothing to resume from yet

    resumed = run(script, tmp_path / "backup_b", -1, tmp_path / "resumed.safetensors", source)
    assert resumed.returncode == 0, resumed.stderr
    assert not (tmp_path / "backup_b" / "backup.cnnkit").exists()  # deleted once training completed
    a, b = load_file(tmp_path / "straight.safetensors"), load_file(tmp_path / "resumed.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
