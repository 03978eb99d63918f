"""fit / evaluate / predict semantics, checked against plain torch and NumPy."""

import io

import numpy as np
import pytest
import torch
from torch import nn

import cnnkit as keras
from cnnkit import layers


def small_classifier(optimizer="sgd", loss="categorical_crossentropy", metrics=("accuracy",), input_shape=(4,)):
    model = keras.Sequential(
        [layers.Dense(6, activation="relu", input_shape=input_shape), layers.Dense(3, activation="softmax")]
    )
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def data(rng, n=40):
    x = rng.standard_normal((n, 4)).astype(np.float32)
    labels = rng.integers(0, 3, n)
    return x, labels, keras.utils.to_categorical(labels, 3)


def test_one_sgd_step_equals_plain_torch(rng):
    x, labels, y = data(rng, 8)
    model = small_classifier(optimizer=keras.optimizers.SGD(learning_rate=0.1))
    (k1, b1, k2, b2) = [torch.tensor(w) for w in model.get_weights()]
    reference = [t.clone().requires_grad_(True) for t in (k1, b1, k2, b2)]
    hidden = torch.relu(torch.from_numpy(x) @ reference[0] + reference[1])
    probs = torch.softmax(hidden @ reference[2] + reference[3], dim=1)
    loss = -(torch.from_numpy(y) * torch.log(probs)).sum(1).mean()
    loss.backward()
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for got, ref in zip(model.get_weights(), reference):
        np.testing.assert_allclose(got, (ref - 0.1 * ref.grad).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(model.history.history["loss"][0], loss.item(), rtol=1e-5)


def test_sgd_momentum_and_nesterov_follow_the_update_rule():
    for nesterov in (False, True):
        weight = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=nesterov)
        optimizer.build([weight])
        w, velocity = np.array([1.0, -2.0]), np.zeros(2)
        for _ in range(3):
            weight.grad = 2 * weight.detach().clone()  # gradient of sum(w^2)
            optimizer.step()
            g = 2 * w
            velocity = 0.9 * velocity - 0.1 * g  # Keras's form
            w = w + (0.9 * velocity - 0.1 * g if nesterov else velocity)
        np.testing.assert_allclose(weight.detach().numpy(), w, rtol=1e-6)
        assert optimizer.iterations == 3


def test_class_weight_equals_matching_sample_weight(rng):
    x, labels, y = data(rng, 16)
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    results = []
    for kwargs in (
        dict(class_weight=class_weight),
        dict(sample_weight=np.array([class_weight[c] for c in labels])),
        {},
    ):
        keras.utils.set_random_seed(7)
        model = small_classifier()
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0, **kwargs)
        results.append(model.get_weights())
    for a, b in zip(results[0], results[1]):
        np.testing.assert_allclose(a, b, atol=1e-7)
    assert not all(np.allclose(a, c) for a, c in zip(results[0], results[2]))


def test_sample_weighted_evaluate_is_keras_sum_over_batch_size(rng):
    x, labels, y = data(rng, 10)
    model = small_classifier(metrics=())
    weights = rng.random(10).astype(np.float32)
    loss = model.evaluate(x, y, sample_weight=weights, batch_size=10, verbose=0)
    probs = model.predict(x, verbose=0)
    per_sample = -np.log(np.clip(probs[np.arange(10), labels], 1e-7, 1))
    np.testing.assert_allclose(loss, np.mean(per_sample * weights), rtol=1e-5)


def test_validation_split_uses_the_last_samples(rng):
    x, labels, y = data(rng, 40)
    model = small_classifier()
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=0)
    val_loss, val_acc = model.evaluate(x[30:], y[30:], verbose=0)
    np.testing.assert_allclose(history.history["val_loss"][-1], val_loss, rtol=1e-5)
    np.testing.assert_allclose(history.history["val_accuracy"][-1], val_acc, rtol=1e-6)


def test_generators_and_dataloaders(rng):
    x, labels, y = data(rng, 32)

    def batches():
        while True:
            for start in range(0, 32, 8):
                yield x[start : start + 8], y[start : start + 8]

    model = small_classifier()
    history = model.fit(
        batches(), steps_per_epoch=4, epochs=3, verbose=0, validation_data=batches(), validation_steps=2
    )
    assert len(history.history["loss"]) == 3 and "val_loss" in history.history
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(labels)), batch_size=8, shuffle=True
    )
    sparse = small_classifier(loss="sparse_categorical_crossentropy")
    history = sparse.fit(loader, epochs=2, verbose=0)
    assert len(history.history["accuracy"]) == 2
    assert sparse.evaluate(loader, verbose=0)[0] > 0
    assert sparse.predict(loader, verbose=0).shape == (32, 3)


def test_dataloader_of_nchw_images_is_accepted():
    images = torch.rand(12, 1, 8, 8)  # what torchvision gives
    labels = torch.randint(0, 2, (12,))
    model = keras.Sequential(
        [layers.Conv2D(2, 3, input_shape=(8, 8, 1)), layers.Flatten(), layers.Dense(2, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels), batch_size=4)
    model.fit(loader, epochs=1, verbose=0)
    from_nchw = model.predict(loader, verbose=0)
    from_nhwc = model.predict(images.permute(0, 2, 3, 1).numpy(), verbose=0)
    np.testing.assert_allclose(from_nchw, from_nhwc, atol=1e-6)


def test_exhausted_generator_without_steps_stops_cleanly(rng):
    x, _, y = data(rng, 16)
    model = small_classifier()
    history = model.fit(((x[i : i + 4], y[i : i + 4]) for i in range(0, 16, 4)), epochs=5, verbose=0)
    assert len(history.history["loss"]) == 1


def test_lazy_build_on_first_batch(rng):
    x, labels, _ = data(rng, 20)
    model = keras.Sequential([layers.Dense(5, activation="relu"), layers.Dense(3, activation="softmax")])
    with pytest.raises(ValueError, match="has not been built"):
        model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, labels, epochs=1, verbose=0)
    assert model.input_shape == (None, 4) and model.output_shape == (None, 3)
    assert model.count_params() == 4 * 5 + 5 + 5 * 3 + 3


def test_callbacks_hooks_stop_training_and_initial_epoch(rng):
    x, _, y = data(rng, 32)
    events = []

    class Recorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_train_batch_end(self, batch, logs=None):
            assert isinstance(logs["loss"], float)
            events.append(f"batch {batch}")
            if batch == 1 and self.model.history is not None:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            events.append("train_end")

    model = small_classifier()
    history = model.fit(x, y, batch_size=8, epochs=5, initial_epoch=2, verbose=0, callbacks=[Recorder()])
    assert history.epoch == [2, 3]
    assert events[:4] == ["train_begin", "epoch_begin 2", "batch 0", "batch 1"]
    assert "epoch_end 2 ['accuracy', 'loss']" in events and events[-1] == "train_end"
    assert events.count("batch 1") == 2  # stopped after the second batch of epoch 3


def test_verbose_modes_print_keras_lines(rng, capsys):
    x, _, y = data(rng, 16)
    model = small_classifier()
    model.fit(x, y, batch_size=8, epochs=1, verbose=2)
    out = capsys.readouterr().out
    assert out.startswith("Epoch 1/1\n2/2 - ") and "/step - loss: " in out and "accuracy" in out
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_progress_bar_draws_on_a_terminal(monkeypatch):
    from cnnkit.training.progress import Progbar

    monkeypatch.setenv("COLUMNS", "200")  # wide enough for the full bar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = Progbar(10, verbose=1, interval=0.0, stream=stream)
    bar.update(5, lambda: {"loss": 0.5})
    bar.finish(10, {"loss": 0.25, "val_loss": 0.0001})
    text = stream.getvalue()
    assert " 5/10 [==============>...............] - ETA: " in text and "loss: 0.5000" in text
    assert "10/10 [==============================]" in text and "val_loss: 1.0000e-04" in text


@pytest.mark.parametrize("columns, metrics", [(80, ["loss", "accuracy"]), (50, ["loss", "accuracy", "top_k"])])
def test_progress_bar_lines_fit_the_terminal(monkeypatch, columns, metrics):
    """A line longer than the terminal wraps, and a carriage return then redraws only its last
    part: every update would stack a new line. The bar shrinks first, then the metrics are cut."""
    from cnnkit.training.progress import Progbar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("COLUMNS", str(columns))
    stream = Terminal()
    bar = Progbar(1875, verbose=1, interval=0.0, stream=stream)
    logs = {name: 0.51234 for name in metrics}
    for step in (1, 900, 1875):
        bar.update(step, lambda: logs)
    bar.finish(1875, {**logs, **{f"val_{name}": 0.4 for name in metrics}})
    lines = [line for line in stream.getvalue().replace("\n", "\r").split("\r") if line]
    assert len(lines) == 4 and all(len(line) <= columns - 1 for line in lines[:3]), [len(line) for line in lines]
    assert lines[3].endswith(f"val_{metrics[-1]}: 0.4000")  # the finished line keeps every metric
    assert all(line.startswith(("   1/1875", " 900/1875", "1875/1875")) for line in lines)
    if columns == 80:  # Keras's usual two metrics: a shorter bar, and every metric in full
        assert "[" in lines[1] and lines[1].endswith("accuracy: 0.5123")


def test_evaluate_return_forms(rng):
    x, labels, y = data(rng, 12)
    model = small_classifier(metrics=("accuracy", keras.metrics.TopKCategoricalAccuracy(k=2)))
    values = model.evaluate(x, y, verbose=0)
    assert len(values) == 3
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "accuracy", "top_k_categorical_accuracy"]
    probs = model.predict(x, verbose=0)
    top2 = np.argsort(-probs, axis=1)[:, :2]
    np.testing.assert_allclose(logs["top_k_categorical_accuracy"], np.mean([l in t for l, t in zip(labels, top2)]))
    no_metrics = small_classifier(metrics=())
    assert isinstance(no_metrics.evaluate(x, y, verbose=0), float)
    assert model.metrics_names == ["loss", "accuracy", "top_k_categorical_accuracy"]


def test_binary_classification_and_regression(rng):
    x = rng.standard_normal((64, 3)).astype(np.float32)
    target = (x[:, 0] + x[:, 1] > 0).astype(np.float32)
    model = keras.Sequential(
        [layers.Dense(8, activation="tanh", input_shape=(3,)), layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, target, epochs=20, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    probs = model.predict(x, verbose=0)[:, 0]
    loss, acc = model.evaluate(x, target, verbose=0)
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    np.testing.assert_allclose(loss, -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p)), rtol=1e-4)
    np.testing.assert_allclose(acc, np.mean((probs > 0.5) == target))

    regression = keras.Sequential([layers.Dense(1, input_shape=(3,))])
    regression.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    y = x @ np.array([1.0, -2.0, 0.5], dtype=np.float32) + 0.3
    regression.fit(x, y, epochs=40, batch_size=16, verbose=0)
    assert regression.evaluate(x, y, verbose=0)[0] < 1e-3


def test_predict_returns_channels_last_images_and_call_takes_both_forms(rng):
    """A tensor is called NCHW, as torch modules are; a NumPy array channels-last, as in Keras, and
    the images come back channels-last too."""
    model = keras.Sequential([layers.Conv2D(2, 3, padding="same", input_shape=(5, 6, 3))])
    x = rng.standard_normal((4, 5, 6, 3)).astype(np.float32)
    out = model.predict(x, verbose=0)
    assert out.shape == (4, 5, 6, 2)
    nchw = model(torch.from_numpy(x).permute(0, 3, 1, 2))
    assert nchw.shape == (4, 2, 5, 6)
    np.testing.assert_allclose(out, nchw.permute(0, 2, 3, 1).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(model(x).detach().cpu().numpy(), out, atol=1e-6)


def test_train_and_test_on_batch(rng):
    x, _, y = data(rng, 8)
    model = small_classifier()
    before = model.test_on_batch(x, y)
    model.train_on_batch(x, y)
    after = model.test_on_batch(x, y, return_dict=True)
    assert after["loss"] < before[0]
    assert model.predict_on_batch(x).shape == (8, 3)


def test_sequential_editing_inputs_and_plain_torch_modules():
    model = keras.Sequential()
    model.add(keras.Input(shape=(8, 8, 1)))
    model.add(layers.Conv2D(4, 3, name="features"))
    model.add(nn.ReLU())  # any torch module fits in
    model.add(layers.Flatten())
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2)
    assert model.get_layer("features").filters == 4 and model.get_layer(index=-1).units == 2
    model.pop()
    assert model.output_shape == (None, 144) and len(model.layers) == 3
    with pytest.raises(ValueError, match="already in the model"):
        model.add(layers.Dense(3, name="features"))
    other = keras.Sequential([layers.InputLayer(input_shape=(3,)), layers.Dense(2)])
    assert other.output_shape == (None, 2) and isinstance(other, nn.Module)
    assert sum(p.numel() for p in other.parameters()) == other.count_params() == 8


def test_frozen_layers_count_as_non_trainable(capsys):
    model = keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.BatchNormalization(), layers.Dense(2)])
    model.layers[0].trainable = False
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 42" in out and "Trainable params: 18" in out and "Non-trainable params: 24" in out


def test_device_choice():
    keras.backend.set_device("cpu")
    try:
        model = small_classifier()
        assert model.device.type == "cpu"
    finally:
        keras.backend.set_device(None)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            keras.backend.set_device("cuda")
        assert keras.backend.get_device().type == "cpu"  # a refused choice changes nothing
    with pytest.raises(ValueError, match="unknown device"):
        keras.backend.set_device("tpu7")
