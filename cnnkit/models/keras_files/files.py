"""Keras's model files, read and written: the `.keras` archive of Keras 3 and the legacy `.h5`
file of Keras 2, tf.keras and Keras 3.

A `.keras` file cnnkit writes is a real Keras 3 archive (config.json, metadata.json,
model.weights.h5) that Keras loads; it also carries `cnnkit.json` (cnnkit's own description of
the model, compile settings and optimizer step) and `optimizer.safetensors` (the optimizer's
moments), which Keras ignores and cnnkit uses to resume training exactly where it stopped.

Nothing read from a file is executed: configs are JSON mapped through cnnkit's registry, weights
are numeric HDF5 datasets checked against the layers' shapes before they are read, and archive
members are checked for size before they are inflated.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import zipfile

import h5py
import numpy as np

from cnnkit.models.keras_files import h5_weights
from cnnkit.models.keras_files.compile_settings import compile_from_keras, keras_compile_config, legacy_training_config
from cnnkit.models.keras_files.config_from_keras import layer_description
from cnnkit.models.keras_files.config_to_keras import model_entry
from cnnkit.models.keras_files.hdf5_probe import check_walkable

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
KERAS_FORMAT_VERSION = "3.0.0"  # the file format followed (Keras checks only for Keras 1's)
MAX_CONFIG_BYTES = 64 * 2**20
MAX_INFLATION = 50  # a member inflating more than this many times over is taken for a zip bomb
LARGE_MEMBER = 64 * 2**20


def file_kind(path: str) -> str | None:
    """ "cnnkit" (cnnkit's own archive), "keras" (a Keras 3 archive), "h5" (HDF5) or None."""
    if is_hdf5(path):
        return "h5"
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "config.json" in names and "model.weights.h5" in names:
        return "keras"
    return "cnnkit" if "cnnkit.json" in names else None


def checked_member(archive: zipfile.ZipFile, name: str, path: str, limit: int | None = None) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ValueError(f"{path!r} is not a complete model file: it has no {name}") from None
    if limit is not None and info.file_size > limit:
        raise ValueError(f"{path!r}: {name} declares {info.file_size} bytes; refusing more than {limit}")
    if info.file_size > LARGE_MEMBER and info.file_size > MAX_INFLATION * max(info.compress_size, 1):
        raise ValueError(
            f"{path!r}: {name} would inflate {info.compress_size} bytes to {info.file_size}; refusing a zip bomb"
        )
    return archive.read(name)


def _hdf5(source, name: str) -> h5py.File:
    """An HDF5 file opened for reading, once a child process could walk it (hdf5_probe.py), or
    one line saying it is not one."""
    check_walkable(source, name)
    try:
        return h5py.File(source, "r")
    except OSError as error:
        raise ValueError(f"{name} is not a readable HDF5 file ({str(error).splitlines()[0]})") from None


@contextlib.contextmanager
def reading(path: str, kind: str = "Keras file"):
    """Whatever goes wrong while reading the damaged file at `path` ends as one ValueError that
    names it: h5py's and zipfile's own errors included, which name nothing."""
    source = f"{kind} {path!r}"
    try:
        yield
    except (ValueError, TypeError) as error:
        if path in str(error) and "\n" not in str(error).strip():
            raise
        raise ValueError(f"{source}: {_first_line(error)}") from None
    except (OSError, RuntimeError, KeyError, IndexError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise ValueError(f"{source} is damaged ({type(error).__name__}: {_first_line(error)})") from None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _json(data: bytes, path: str, name: str):
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path!r}: {name} is not JSON ({error})") from None


def _build(description: dict, path: str):
    from cnnkit.layers.serialization import deserialize

    model = deserialize(layer_description(description, f"Keras file {path!r}"))  # KerasConfigError: a ValueError
    build = description.get("build_config") or {}
    if not getattr(model, "built", True) and build.get("input_shape") and hasattr(model, "build"):
        model.build(tuple(build["input_shape"]))
    return model


# ---- .keras --------------------------------------------------------------------------------
def load_keras_archive(path: str, compile: bool = True):
    with reading(path):
        return _load_keras_archive(path, compile)


def _load_keras_archive(path: str, compile: bool):
    from cnnkit.models import saving

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        own = (
            _json(checked_member(archive, "cnnkit.json", path, MAX_CONFIG_BYTES), path, "cnnkit.json")
            if "cnnkit.json" in names
            else None
        )
        config = _json(checked_member(archive, "config.json", path, MAX_CONFIG_BYTES), path, "config.json")
        weights = checked_member(archive, "model.weights.h5", path)
        optimizer_tensors = (
            checked_member(archive, "optimizer.safetensors", path) if "optimizer.safetensors" in names else b""
        )
    if own is not None:  # written by cnnkit: its own exact description
        model = saving.deserialize(own["model"])
    else:
        model = _build(config, path)
    with _hdf5(io.BytesIO(weights), f"{path!r}: model.weights.h5") as handle:
        h5_weights.read_tree(model, handle, f"Keras file {path!r}")
    if compile and own is not None and own.get("compile"):
        saving.compile_and_restore(model, own, optimizer_tensors)
    elif compile:
        compile_from_keras(model, config.get("compile_config"), f"Keras file {path!r}")
    return model


def write_keras_archive(model, stream) -> None:
    from cnnkit.models import saving

    description, optimizer_tensors = saving.cnnkit_description(model)
    config = model_entry(model)
    compile_config = keras_compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    weights = io.BytesIO()
    with h5py.File(weights, "w") as handle:
        h5_weights.write_tree(model, handle)
    metadata = {"keras_version": KERAS_FORMAT_VERSION, "date_saved": _now(), "written_by": _writer()}
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", weights.getvalue())
        archive.writestr("cnnkit.json", json.dumps(description, indent=1))
        archive.writestr("optimizer.safetensors", optimizer_tensors)


def _now() -> str:
    return datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")


def _writer() -> str:
    from cnnkit import __version__

    return f"cnnkit {__version__}"


# ---- legacy .h5 ----------------------------------------------------------------------------
def _attribute_json(handle, name: str, path: str):
    value = handle.attrs.get(name)
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf8")
    if not isinstance(value, str) or len(value) > MAX_CONFIG_BYTES:
        raise ValueError(f"{path!r}: the {name} attribute is not a JSON text")
    return _json(value.encode("utf8"), path, name)


def load_h5_model(path: str, compile: bool = True):
    with reading(path):
        return _load_h5_model(path, compile)


def _load_h5_model(path: str, compile: bool):
    from cnnkit.models import saving

    with _hdf5(path, repr(path)) as handle:
        config = _attribute_json(handle, "model_config", path)
        if config is None:
            raise ValueError(
                f"{path!r} is an HDF5 weights file without a model; build the model and call model.load_weights on it"
            )
        own = _attribute_json(handle, "cnnkit", path)
        model = saving.deserialize(own["model"]) if own is not None else _build(config, path)
        group = handle["model_weights"] if "model_weights" in handle else handle
        h5_weights.read_legacy(model, group, f"Keras file {path!r}")
        if compile and own is not None:
            state = handle.get("cnnkit_optimizer")
            tensors = bytes(state[()]) if isinstance(state, h5py.Dataset) and state.dtype == "uint8" else b""
            saving.compile_and_restore(model, own, tensors)
        elif compile:
            compile_from_keras(model, _attribute_json(handle, "training_config", path), f"Keras file {path!r}")
    return model


def write_h5_model(model, stream) -> None:
    from cnnkit.models import saving

    description, optimizer_tensors = saving.cnnkit_description(model)
    with h5py.File(stream, "w") as handle:
        handle.attrs["keras_version"] = KERAS_FORMAT_VERSION
        handle.attrs["backend"] = "torch"
        handle.attrs["written_by"] = _writer()
        handle.attrs["model_config"] = json.dumps(model_entry(model))
        training = legacy_training_config(model)
        if training is not None:
            handle.attrs["training_config"] = json.dumps(training)
        group = handle.create_group("model_weights")
        group.attrs["keras_version"] = KERAS_FORMAT_VERSION
        group.attrs["backend"] = "torch"
        h5_weights.write_legacy(model, group)
        # cnnkit's own description and optimizer state, which Keras ignores: training resumes exactly
        handle.attrs["cnnkit"] = json.dumps(description)
        handle.create_dataset("cnnkit_optimizer", data=np.frombuffer(optimizer_tensors, dtype=np.uint8))


# ---- weights only --------------------------------------------------------------------------
def load_h5_weights(model, path: str, by_name: bool = False) -> None:
    """A Keras weights file (`.weights.h5`, or a legacy `.h5` of weights or of a whole model)."""
    source = f"weights file {path!r}"
    with reading(path, "weights file"), _hdf5(path, repr(path)) as handle:
        if h5_weights.is_tree(handle):
            h5_weights.read_tree(model, handle, source)
        else:
            group = handle["model_weights"] if "model_weights" in handle else handle
            h5_weights.read_legacy(model, group, source, by_name=by_name)


def write_h5_weights(model, stream, legacy: bool) -> None:
    with h5py.File(stream, "w") as handle:
        if legacy:
            handle.attrs["keras_version"] = KERAS_FORMAT_VERSION
            handle.attrs["backend"] = "torch"
            h5_weights.write_legacy(model, handle)
        else:
            h5_weights.write_tree(model, handle)


def is_hdf5(path: str | os.PathLike) -> bool:
    with open(path, "rb") as handle:
        return handle.read(8) == HDF5_SIGNATURE


def load_archive_weights(model, path: str, kind: str) -> None:
    """The weights inside a whole-model archive (Keras 3's `.keras` or cnnkit's own)."""
    from cnnkit.models import saving
    from cnnkit.models.weights_file import load_state

    if kind == "cnnkit":
        with reading(path, "model file"):
            _, weights, _ = saving._read_archive(path)
            load_state(model, saving.load_tensors(weights), f"model file {path!r}")
        return
    with reading(path):
        with zipfile.ZipFile(path) as archive:
            weights = checked_member(archive, "model.weights.h5", path)
        with _hdf5(io.BytesIO(weights), f"{path!r}: model.weights.h5") as handle:
            h5_weights.read_tree(model, handle, f"Keras file {path!r}")
