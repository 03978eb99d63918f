"""Property-based tests (Hypothesis): random shapes, dtypes and arguments for layers and for
fit/predict, and truncated or bit-flipped files for every loader. Each case must end in a correct
result or a clear cnnkit error (ValueError/TypeError naming the layer or call, or the file), never
anything else: no torch traceback, no KeyError from inside a loader, no silent garbage.

The default test run uses a short profile (100 cases a test, seconds); `scripts/test.sh
--slow` runs the long one (CNNKIT_PROPERTIES=long). Cases are derandomized, so a run is repeatable.
"""

import functools
import gzip
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnnkit
from cnnkit import layers
from cnnkit.datasets import DatasetError
from cnnkit.datasets.idx import read_idx_gz
from cnnkit.models import load_model
from cnnkit.models.keras_files import hdf5_probe

pytestmark = pytest.mark.properties
SHORT, LONG = 100, 1000
EXAMPLES = LONG if os.environ.get("CNNKIT_PROPERTIES") == "long" else SHORT
settings.register_profile(
    "cnnkit",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("cnnkit")


def clear_error(error: BaseException, *names: str) -> bool:
    """A cnnkit error a user can act on: a ValueError/TypeError in one line naming what it is about."""
    text = str(error)
    return isinstance(error, (ValueError, TypeError)) and "\n" not in text and any(n in text for n in names)


# ---- layers ------------------------------------------------------------------------------------
LAYER_ARGUMENTS = {
    "Dense": lambda d: {"units": d.draw(st.integers(-1, 6))},
    "Conv2D": lambda d: {
        "filters": d.draw(st.integers(-1, 4)),
        "kernel_size": d.draw(st.integers(-1, 5)),
        "strides": d.draw(st.integers(0, 3)),
        "padding": d.draw(st.sampled_from(["valid", "same", "causal", "full"])),
    },
    "Conv1D": lambda d: {
        "filters": d.draw(st.integers(0, 4)),
        "kernel_size": d.draw(st.integers(0, 4)),
        "dilation_rate": d.draw(st.integers(1, 3)),
        "padding": d.draw(st.sampled_from(["valid", "same", "causal"])),
    },
    "MaxPooling2D": lambda d: {
        "pool_size": d.draw(st.integers(0, 4)),
        "strides": d.draw(st.one_of(st.none(), st.integers(0, 3))),
        "padding": d.draw(st.sampled_from(["valid", "same"])),
    },
    "AveragePooling1D": lambda d: {"pool_size": d.draw(st.integers(0, 4))},
    "BatchNormalization": lambda d: {"momentum": d.draw(st.floats(-0.5, 1.5)), "axis": d.draw(st.integers(-3, 3))},
    "Dropout": lambda d: {"rate": d.draw(st.floats(-0.5, 1.5))},
    "LSTM": lambda d: {"units": d.draw(st.integers(0, 4)), "return_sequences": d.draw(st.booleans())},
    "Embedding": lambda d: {"input_dim": d.draw(st.integers(0, 6)), "output_dim": d.draw(st.integers(0, 3))},
    "Reshape": lambda d: {"target_shape": tuple(d.draw(st.lists(st.integers(-1, 6), min_size=1, max_size=3)))},
    "Flatten": lambda d: {},
    "GlobalAveragePooling2D": lambda d: {},
}


@given(st.data())
def test_layers_compute_what_they_say_or_refuse_clearly(data):
    kind = data.draw(st.sampled_from(sorted(LAYER_ARGUMENTS)))
    arguments = LAYER_ARGUMENTS[kind](data)
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=4)))
    x = np.random.default_rng(0).random((2, *shape)).astype("float32")
    if kind == "Embedding":
        x = np.floor(x * 8)  # ids, some beyond input_dim
    try:
        layer = getattr(layers, kind)(**arguments)
    except (ValueError, TypeError) as error:
        assert clear_error(error, kind), f"{kind}({arguments}): {error!r}"
        return
    try:
        output = layer(x)
    except (ValueError, TypeError) as error:
        assert clear_error(error, kind, layer.name), f"{kind}({arguments}) on {x.shape}: {error!r}"
        return
    expected = layer.compute_output_shape((None, *shape))
    assert tuple(output.shape[1:]) == tuple(expected[1:]), f"{kind}({arguments}) on {x.shape}"
    assert np.isfinite(np.asarray(output.detach())).all()


# ---- fit and predict ---------------------------------------------------------------------------
@st.composite
def training_data(draw):
    count = draw(st.integers(0, 6))
    features = draw(st.sampled_from([(4,), (3,), (4, 1), (2, 2)]))
    kind = draw(st.sampled_from(["float32", "float64", "int64", "bool", "nan"]))
    x = np.random.default_rng(1).random((count, *features)) * 3
    x = np.where(np.arange(x.size).reshape(x.shape) == 0, np.nan, x) if kind == "nan" else x.astype(kind)
    labels = draw(st.sampled_from(["classes", "out_of_range", "floats", "one_hot", "wrong_count", "negative"]))
    y = {
        "classes": np.arange(count) % 2,
        "out_of_range": np.arange(count) + 5,
        "floats": np.linspace(0, 1, count),
        "one_hot": np.eye(2)[np.arange(count) % 2],
        "wrong_count": np.zeros(count + 1),
        "negative": -np.ones(count),
    }[labels]
    batch_size = draw(st.sampled_from([None, 1, 2, 0, -3]))
    return x, y, batch_size


@given(training_data())
def test_fit_and_predict_train_or_refuse_clearly(case):
    x, y, batch_size = case
    model = cnnkit.Sequential([layers.Input((4,)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    for call, arguments in (("fit", (x, y)), ("predict", (x,))):
        try:
            with np.errstate(all="ignore"):
                result = getattr(model, call)(*arguments, batch_size=batch_size, verbose=0)
        except (ValueError, TypeError) as error:
            assert clear_error(error, f"{call}:"), f"{call} on x {x.shape} {x.dtype}, y {y.shape}: {error!r}"
            continue
        if call == "predict":
            assert result.shape == (len(x), 2)


# ---- damaged files -----------------------------------------------------------------------------
@functools.cache
def saved_files() -> dict[str, bytes]:
    """A small trained model in every file format cnnkit writes (built once; a plain function, so
    Hypothesis does not print the bytes with each failing case)."""
    folder = Path(tempfile.mkdtemp(prefix="cnnkit-properties-"))
    cnnkit.utils.set_random_seed(0)
    model = cnnkit.Sequential([layers.Input((4,)), layers.Dense(3), layers.BatchNormalization(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.ones((4, 4), "float32"), np.array([0, 1, 0, 1]), verbose=0)
    for name in ("model.keras", "model.h5", "model.cnnkit"):
        model.save(folder / name)
    for name in ("w.weights.h5", "w.h5", "w.safetensors"):
        model.save_weights(folder / name)
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    shutil.rmtree(folder)
    return files


@st.composite
def damage(draw, size: int):
    how = draw(st.sampled_from(["truncate", "flip", "zero_run"]))
    at = draw(st.integers(0, max(size - 1, 0)))
    return how, at, draw(st.integers(1, 255))


def damaged(data: bytes, how: str, at: int, value: int) -> bytes:
    if how == "truncate":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes([data[at] ^ value]) + data[at + 1 :]
    return data[:at] + bytes(min(value * 16, len(data) - at)) + data[at + value * 16 :]


@given(st.sampled_from(["model.keras", "model.h5", "model.cnnkit", "w.weights.h5", "w.h5", "w.safetensors"]), st.data())
def test_damaged_model_and_weights_files_load_or_are_refused_clearly(tmp_path_factory, monkeypatch, name, data):
    """Some damage sends the HDF5 library into a loop: those files must be refused in time too
    (cnnkit/models/keras_files/hdf5_probe.py; its limit is shortened here for these small files)."""
    monkeypatch.setattr(hdf5_probe, "TIME_LIMIT", 2.0)
    original = saved_files()[name]
    how, at, value = data.draw(damage(len(original)))
    path = tmp_path_factory.mktemp("damaged") / name
    path.write_bytes(damaged(original, how, at, value))
    try:
        if name.startswith("model"):
            model = load_model(path)
        else:
            model = cnnkit.Sequential(
                [layers.Input((4,)), layers.Dense(3), layers.BatchNormalization(), layers.Dense(2)]
            )
            model.load_weights(path)
    except (ValueError, TypeError, FileNotFoundError) as error:
        assert "\n" not in str(error).strip() and (str(path) in str(error) or name in str(error)), (
            f"{name} {how} at {at}: {error!r}"
        )
        return
    assert model.predict(np.ones((1, 4), "float32"), verbose=0).shape == (1, 2)


@given(st.data())
def test_damaged_idx_files_are_refused_clearly(tmp_path_factory, data):
    labels = np.arange(20, dtype=np.uint8) % 10
    raw = bytes([0, 0, 8, 1]) + struct.pack(">I", len(labels)) + labels.tobytes()
    packed = gzip.compress(raw)
    target = data.draw(st.sampled_from(["packed", "raw"]))
    original = packed if target == "packed" else raw
    how, at, value = data.draw(damage(len(original)))
    broken = damaged(original, how, at, value)
    path = tmp_path_factory.mktemp("idx") / "labels.gz"
    path.write_bytes(broken if target == "packed" else gzip.compress(broken))
    try:
        array = read_idx_gz(path)
    except DatasetError as error:
        assert str(path) in str(error) and "\n" not in str(error)
        return
    assert array.dtype == np.uint8 and array.size <= 2**31
