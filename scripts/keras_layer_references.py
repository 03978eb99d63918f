"""Freezes real Keras 3's behaviour for every case of tests/layer_cases.py into
tests/data/keras_layer_references.npz: for each layer its input, its weights (Keras's order and
layout), its inference output, its output shape, its parameter count, its config as Keras writes
it into a `.keras` file, and where each weight sits inside that file's weights tree. tests/test_layer_sweep.py
loads the same weights into cnnkit's layer and compares, so Keras parity is checked on every test
run without Keras installed.

Run with Keras 3 on its JAX backend (bench/keras_env.sh installs it):
    KERAS_BACKEND=jax bench/.keras-env/bin/python scripts/keras_layer_references.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import h5py  # noqa: E402
import keras  # noqa: E402
from keras.src.saving import saving_lib  # noqa: E402
from layer_cases import CASES, CELLS, call  # noqa: E402

BATCH = 3


def built(value):
    """A ("layer", name, arguments) entry made into a Keras layer; lists element by element."""
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "layer":
        return getattr(keras.layers, value[1])(**{k: built(v) for k, v in value[2].items()})
    if isinstance(value, list):
        return [built(v) for v in value]
    return value


def make_layer(name: str, arguments: dict):
    if name == "Lambda":
        return keras.layers.Lambda(lambda x: x * x)
    layer = getattr(keras.layers, name)(**{key: built(value) for key, value in arguments.items()})
    return keras.layers.RNN(layer) if name in CELLS else layer


def inputs_for(name: str, case) -> list[np.ndarray]:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    shapes = case.shape if isinstance(case.shape, list) else [case.shape]
    if case.integer_input:
        return [rng.integers(0, 10, size=(BATCH, *shape)).astype("int32") for shape in shapes]
    return [rng.standard_normal((BATCH, *shape)).astype("float32") for shape in shapes]


def weight_paths(layer) -> list[str]:
    """Where each of get_weights()'s arrays sits in the layer's group of a Keras weights file
    ("vars/0", "cell/vars/1", ...), found by writing the file with every weight made distinct
    and matching the arrays."""
    original = layer.get_weights()
    rng = np.random.default_rng(1)
    layer.set_weights([rng.standard_normal(w.shape).astype(w.dtype) for w in original])
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/layer.weights.h5"
        saving_lib.save_weights_only(layer, path)
        with h5py.File(path) as handle:
            stored = []
            handle.visititems(lambda name, item: stored.append((name, item[()])) if hasattr(item, "shape") else None)
    paths = []
    for weight in layer.get_weights():
        found = next(n for n, a in stored if n not in paths and a.shape == weight.shape and (a == weight).all())
        paths.append(found)
    layer.set_weights(original)
    return paths


def main() -> None:
    keras.utils.set_random_seed(0)
    arrays = {}
    for name, case in sorted(CASES.items()):
        if not case.keras:
            continue
        layer = make_layer(name, case.arguments)
        inputs = inputs_for(name, case)
        given = inputs if isinstance(case.shape, list) else inputs[0]
        output = np.asarray(call(layer, given, case, training=False))
        for index, array in enumerate(inputs):
            arrays[f"{name}/x{index}"] = array
        for index, weight in enumerate(layer.get_weights()):
            arrays[f"{name}/w{index}"] = np.asarray(weight)
        arrays[f"{name}/y"] = output
        arrays[f"{name}/params"] = np.array(layer.count_params())
        if name != "Lambda":  # a Lambda's config holds its function's bytecode
            arrays[f"{name}/config"] = np.array(json.dumps(keras.saving.serialize_keras_object(layer)))
            arrays[f"{name}/paths"] = np.array(json.dumps(weight_paths(layer)))
        print(f"{name}: output {output.shape}, {len(layer.get_weights())} weights")
    target = ROOT / "tests" / "data" / "keras_layer_references.npz"
    np.savez_compressed(target, **arrays)
    print(f"{len(arrays)} arrays from Keras {keras.__version__} ({keras.backend.backend()}) -> {target}")


if __name__ == "__main__":
    main()
