"""The standard callbacks, each checked on a real (tiny) training run."""

import csv

import numpy as np
import pytest
import torch

import cnnkit as keras
from cnnkit import callbacks, layers


def model_and_data(rng, classes=3):
    model = keras.Sequential([layers.Input(shape=(4,)), layers.Dense(8, activation="relu"), layers.Dense(classes)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = rng.standard_normal((32, classes)).astype(np.float32)
    return model, x, y


class Scripted(callbacks.Callback):
    """Replaces the logged `val_loss` with a scripted sequence, to drive the monitors exactly."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]


def test_early_stopping_patience_and_restore_best_weights(rng):
    model, x, y = model_and_data(rng)
    seen = {}
    remember = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.update({epoch: model.get_weights()}))
    stopper = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    script = Scripted([1.0, 0.5, 0.6, 0.7, 0.1, 0.1])
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[script, remember, stopper])
    assert history.epoch == [0, 1, 2, 3]  # best at epoch 1, then two epochs without improvement
    assert stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    for restored, best in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(restored, best)


def test_early_stopping_modes_and_min_delta(rng):
    model, x, y = model_and_data(rng)
    stopper = callbacks.EarlyStopping(monitor="val_loss", min_delta=0.2, patience=1)
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[Scripted([1.0, 0.9, 0.85, 0.5, 0.4]), stopper])
    assert history.epoch == [0, 1]  # 0.9 is not 0.2 better than 1.0
    assert callbacks.EarlyStopping(monitor="val_accuracy").watch.mode == "max"
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max'"):
        callbacks.EarlyStopping(mode="best")


def test_reduce_lr_on_plateau_and_learning_rate_scheduler(rng):
    model, x, y = model_and_data(rng)
    plateau = callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2, min_lr=0.01)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[Scripted([1.0] * 6), plateau])
    # logged before the callback acts; halved, then two epochs of cooldown (Keras counts the current one)
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125])
    assert model.optimizer.learning_rate == pytest.approx(0.01)

    model, x, y = model_and_data(rng)
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[scheduler])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    with pytest.raises(ValueError, match="the schedule returned -1 for epoch 0; expected a float > 0"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda epoch: -1)])


def test_model_checkpoint_templates_and_best_only(rng, tmp_path):
    model, x, y = model_and_data(rng)
    template = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.3f}.weights.pt")
    best = callbacks.ModelCheckpoint(template, save_best_only=True, save_weights_only=True)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[Scripted([1.0, 0.5, 0.7, 0.25]), best])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ckpt-01-1.000.weights.pt",
        "ckpt-02-0.500.weights.pt",
        "ckpt-04-0.250.weights.pt",
    ]
    fresh, _, _ = model_and_data(rng)
    fresh.load_weights(tmp_path / "ckpt-04-0.250.weights.pt")
    for a, b in zip(fresh.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="names 'val_acc', which is not in the logs"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "{val_acc}.pt"))])


def test_csv_logger_writes_and_appends(rng, tmp_path):
    model, x, y = model_and_data(rng)
    path = tmp_path / "log.csv"
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[callbacks.CSVLogger(path)])
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[callbacks.CSVLogger(path, append=True)])
    rows = list(csv.DictReader(open(path)))
    assert [row["epoch"] for row in rows] == ["0", "1", "0"]
    assert set(rows[0]) == {"epoch", "loss", "mae", "val_loss", "val_mae"}
    assert float(rows[1]["loss"]) > 0
    assert [p.name for p in tmp_path.iterdir()] == ["log.csv"]  # no temporary file left behind


def test_terminate_on_nan_keeps_the_last_good_weights(rng, capsys):
    model, x, y = model_and_data(rng)
    y = y.copy()
    y[20] = np.nan  # batch 2 of 4 (batch size 8) has a NaN label
    snapshots = []
    keep = callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: snapshots.append(model.get_weights()))
    history = model.fit(
        x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[keep, callbacks.TerminateOnNaN()]
    )
    assert "Epoch 1, batch 2: the loss is nan; TerminateOnNaN stopped training" in capsys.readouterr().out
    assert len(snapshots) == 2 and history.epoch == [0]
    for now, last_good in zip(model.get_weights(), snapshots[-1]):
        np.testing.assert_array_equal(now, last_good)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_lambda_callback_hooks_and_errors(rng):
    model, x, y = model_and_data(rng)
    events = []
    hooks = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_train_batch_end=lambda batch, logs: events.append(f"batch {batch} {sorted(logs)}"),
        on_train_end=lambda logs: events.append("end"),
    )
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[hooks])
    assert events == ["begin", "batch 0 ['loss', 'mae']", "batch 1 ['loss', 'mae']", "end"]
    with pytest.raises(TypeError, match="unknown hook\\(s\\) on_epoch_finish"):
        callbacks.LambdaCallback(on_epoch_finish=print)


def test_tensorboard_writes_the_epoch_scalars(rng, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    model, x, y = model_and_data(rng)
    history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[callbacks.TensorBoard(tmp_path)])
    train = EventAccumulator(str(tmp_path / "train"))
    train.Reload()
    logged = [event.value for event in train.Scalars("epoch_loss")]
    assert logged == pytest.approx(history.history["loss"])
    validation = EventAccumulator(str(tmp_path / "validation"))
    validation.Reload()
    assert [e.value for e in validation.Scalars("epoch_mae")] == pytest.approx(history.history["val_mae"])


def test_no_per_batch_hooks_unless_asked(rng, monkeypatch):
    """A run with only epoch-level callbacks never reads the loss per batch (no device waits)."""
    model, x, y = model_and_data(rng)
    reads = []
    original = type(model)._metric_result_tensors
    monkeypatch.setattr(type(model), "_metric_result_tensors", lambda self: reads.append(1) or original(self))
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[callbacks.EarlyStopping(monitor="loss")])
    assert len(reads) == 2  # once per epoch
    assert torch.is_tensor(model.get_layer(index=0).kernel)
