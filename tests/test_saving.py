"""model.save / load_model: nothing lost (architecture, weights, compile, optimizer state), nothing run."""

import json
import os
import pickle
import zipfile

import h5py
import numpy as np
import pytest
import torch
from programs import fashion_cnn

import cnnkit as keras
from cnnkit import applications, layers
from cnnkit.models import load_model


def fashion_data(rng, n=48):
    x = rng.random((n, 28, 28, 1)).astype(np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, n), 10)
    return x, y


KERAS_ARCHIVE = ["cnnkit.json", "config.json", "metadata.json", "model.weights.h5", "optimizer.safetensors"]
CNNKIT_ARCHIVE = ["cnnkit.json", "model.safetensors", "optimizer.safetensors"]


def file_layout(path) -> list[str] | str:
    if zipfile.is_zipfile(path):
        return sorted(zipfile.ZipFile(path).namelist())
    with h5py.File(path) as handle:
        return "Keras h5" if "model_config" in handle.attrs and "model_weights" in handle else "other h5"


@pytest.mark.parametrize(
    "filename, layout",
    [
        ("model.keras", KERAS_ARCHIVE),
        ("model.h5", "Keras h5"),
        ("model.cnnkit", CNNKIT_ARCHIVE),
        ("m.h5py", CNNKIT_ARCHIVE),
    ],
)
def test_save_and_load_lose_nothing(rng, tmp_path, filename, layout):
    """Keras's formats by name (.keras, .h5), cnnkit's own for other names: each holds everything."""
    x, y = fashion_data(rng)
    model = fashion_cnn()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    path = tmp_path / filename
    model.save(path)
    assert file_layout(path) == layout
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.loss.name == "categorical_crossentropy" and type(loaded.optimizer).__name__ == "Adam"
    assert loaded.optimizer.iterations == model.optimizer.iterations == 3
    # The optimizer's moments came back too: one more epoch gives the same weights on both.
    keras.utils.set_random_seed(5)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    keras.utils.set_random_seed(5)
    loaded.fit(x, y, batch_size=16, epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["sequential", "classifier", "functional"])
def test_partly_frozen_models_load_frozen_with_their_optimizer(rng, tmp_path, kind):
    """Freezing some layers (transfer learning) survives saving; the optimizer, built over the
    trainable weights only, loads back onto the same weights."""
    x, y = rng.random((32, 8, 8, 1)).astype(np.float32), rng.integers(0, 3, 32)
    if kind == "classifier":
        model = applications.FashionCNN(input_shape=(8, 8, 1), classes=3)
    else:
        inputs = layers.Input(shape=(8, 8, 1))
        stack = [layers.Conv2D(4, 3), layers.BatchNormalization(), layers.Flatten(), layers.Dense(3)]
        model = keras.Sequential([inputs, *stack]) if kind == "sequential" else None
        if kind == "functional":
            hidden = inputs
            for layer in stack:
                hidden = layer(hidden)
            model = keras.Model(inputs, hidden)
    frozen = [layer for layer in model.layers if layer.weights][:2]
    for layer in frozen:
        layer.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "frozen.keras")
    loaded = load_model(tmp_path / "frozen.keras")
    assert [layer.trainable for layer in loaded.layers] == [layer.trainable for layer in model.layers]
    assert loaded.trainable and sum(t.numel() for t in loaded.trainable_weights) == sum(
        t.numel() for t in model.trainable_weights
    )
    keras.utils.set_random_seed(3)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    keras.utils.set_random_seed(3)
    loaded.fit(x, y, batch_size=8, epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_functional_zoo_and_schedules_round_trip(rng, tmp_path):
    image, extra = keras.Input(shape=(8, 8, 1), name="image"), keras.Input(shape=(2,), name="extra")
    shared = layers.Dense(4, name="shared")  # called twice: one layer, two calls
    seen = layers.Dense(4)(layers.Flatten()(layers.Conv2D(2, 3)(image)))
    joined = layers.concatenate([shared(seen), shared(layers.Dense(4)(extra))])
    kind = layers.Dense(3, activation="softmax", name="kind")(joined)
    model = keras.Model([image, extra], [kind, layers.Dense(1, name="size")(joined)])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.5)
    model.compile(
        optimizer=keras.optimizers.SGD(schedule, momentum=0.9),
        loss={"kind": "sparse_categorical_crossentropy", "size": "mse"},
        loss_weights=[1.0, 0.2],
        metrics={"kind": ["accuracy"]},
    )
    xs = [rng.random((8, 8, 8, 1)).astype(np.float32), rng.random((8, 2)).astype(np.float32)]
    ys = [rng.integers(0, 3, 8), rng.random((8, 1)).astype(np.float32)]
    model.fit(xs, ys, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "two.keras")
    loaded = load_model(tmp_path / "two.keras")
    for a, b in zip(loaded.predict(xs, verbose=0), model.predict(xs, verbose=0)):
        np.testing.assert_array_equal(a, b)
    assert loaded.optimizer.learning_rate == pytest.approx(model.optimizer.learning_rate)  # the schedule, at step 4
    assert loaded.evaluate(xs, ys, verbose=0, return_dict=True) == model.evaluate(xs, ys, verbose=0, return_dict=True)


@pytest.mark.parametrize("aux", [False, True])
def test_zoo_models_round_trip(tmp_path, aux):
    net = applications.GoogLeNet(aux_logits=aux, input_shape=(32, 32, 3), classes=3)
    net.save(tmp_path / "zoo.keras")
    again = load_model(tmp_path / "zoo.keras")
    x = torch.randn(2, 3, 32, 32)
    net.eval()
    again.eval()
    expected, got = net(x), again(x)
    for a, b in zip(expected if aux else [expected], got if aux else [got]):
        torch.testing.assert_close(a, b)


class Scale(layers.Layer):
    """A user's layer with a weight."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.add_weight("alpha", (input_shape[-1],), keras.initializers.get("ones"))

    def call(self, x):
        return x * self.alpha * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def doubled_relu(x):
    return 2 * torch.relu(x)


def test_custom_objects(rng, tmp_path):
    model = keras.Sequential([layers.Input(shape=(3,)), Scale(3.0), layers.Dense(2, activation=doubled_relu)])
    path = tmp_path / "custom.keras"
    model.save(path)
    with pytest.raises(ValueError, match="unknown layer class 'Scale'.*custom_objects=\\{'Scale': Scale\\}"):
        load_model(path)
    loaded = load_model(path, custom_objects={"Scale": Scale, "doubled_relu": doubled_relu})
    x = rng.random((4, 3)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_loading_never_runs_code_from_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    class RunsCode:
        def __reduce__(self):
            return (os.system, ("touch pwned",))

    pickled = tmp_path / "model.h5"
    pickled.write_bytes(pickle.dumps(RunsCode()))
    with pytest.raises(ValueError, match="is not a model file cnnkit reads"):
        load_model(pickled)
    forged = tmp_path / "forged.keras"
    with zipfile.ZipFile(forged, "w") as archive:
        config = {"class_name": "os.system", "config": {"command": "touch pwned"}}
        archive.writestr("cnnkit.json", json.dumps({"format": "cnnkit.model", "model": config}))
        archive.writestr("model.safetensors", b"")
        archive.writestr("optimizer.safetensors", b"")
    with pytest.raises(ValueError, match="unknown layer class 'os.system'"):
        load_model(forged)
    assert not (tmp_path / "pwned").exists()


def test_a_failed_save_leaves_the_previous_file_intact(rng, tmp_path, monkeypatch):
    model = fashion_cnn()
    path = tmp_path / "model.keras"
    model.save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("cnnkit.models.saving.save_tensors", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_models_with_plain_torch_modules_say_how_to_save(tmp_path):
    model = keras.Sequential([layers.Input(shape=(3,)), torch.nn.Linear(3, 2)])
    with pytest.raises(ValueError, match="plain torch module.*save_weights"):
        model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.safetensors")
    model.load_weights(tmp_path / "m.weights.safetensors")
