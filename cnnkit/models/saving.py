"""`model.save(path)` and `load_model(path)`: one file that loses nothing and runs nothing.

The format follows the name, as in Keras: `.keras` is Keras 3's archive and `.h5`/`.hdf5` the
legacy HDF5 file (cnnkit/keras_files/), both loadable by real Keras; any other name (`.cnnkit`
by convention, or `format="cnnkit"`) is cnnkit's own archive, a zip of data only:
- `cnnkit.json`: the architecture (every layer's config), the compile settings and the
  optimizer's small state (step count, torch's param_groups);
- `model.safetensors`: every weight and moving statistic;
- `optimizer.safetensors`: the optimizer's tensors (momenta, Adam's moments).
A `.keras` file written here carries the same `cnnkit.json` and `optimizer.safetensors` beside
Keras's entries, so it too resumes training exactly. `load_model` tells the formats apart by their
contents, not their names. JSON, HDF5 and safetensors are read as data: nothing in a file is
unpickled, imported or executed.
"""

from __future__ import annotations

import io
import json
import os
import zipfile

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from cnnkit import losses, metrics, optimizers  # the public modules: every class and function by its Keras name
from cnnkit.common import object_registration as custom_objects
from cnnkit.common.files import atomic_write
from cnnkit.layers.serialization import deserialize, serialize
from cnnkit.models.weights_file import load_state
from cnnkit.optimizers import schedules

FORMAT = "cnnkit.model"


# ---- compile settings as JSON ----------------------------------------------------------------
def _object_config(obj) -> dict | str:
    """A loss, metric, optimizer or schedule as {"class_name", "config"}; a plain function by name."""
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "get_config") and not isinstance(obj, losses.LossFunctionWrapper):
        config = obj.get_config()
        if isinstance(config.get("learning_rate"), schedules.LearningRateSchedule):
            config["learning_rate"] = _object_config(config["learning_rate"])
        return {"class_name": type(obj).__name__, "config": config}
    function = obj.fn if isinstance(obj, losses.LossFunctionWrapper) else obj
    return {"function": getattr(function, "__name__", repr(function))}


def _public(module, name):
    """`module.name` when `name` is among the module's public names (its __all__): a saved file may
    name Keras's losses, metrics, optimizers and schedules, never any other attribute."""
    return getattr(module, name) if isinstance(name, str) and name in getattr(module, "__all__", ()) else None


def _rebuild(description, module, what: str):
    if description is None or isinstance(description, str):
        return description
    if "function" in description:
        name = description["function"]
        found = custom_objects.lookup(name) or _public(module, name)
        if found is None:
            raise ValueError(
                f"the saved model's {what} is the function {name!r}; pass custom_objects={{{name!r}: ...}}"
            )
        return found
    name = description["class_name"]
    cls = custom_objects.lookup(name) or _public(module, name)
    if not isinstance(cls, type):
        raise ValueError(f"unknown {what} class {name!r} in the saved model; pass custom_objects={{{name!r}: ...}}")
    config = dict(description["config"])
    if isinstance(config.get("learning_rate"), dict):
        config["learning_rate"] = _rebuild(config["learning_rate"], schedules, "learning-rate schedule")
    return cls(**config)


def compile_config(model) -> dict | None:
    setup = model.training_setup
    if setup is None:
        return None
    losses_ = [_object_config(part.loss) for part in setup.outputs]
    metric_lists = [[_object_config(m) for m in part.metric_ids] for part in setup.outputs]
    return {
        "optimizer": _object_config(setup.optimizer),
        "loss": losses_ if setup.several else losses_[0],
        "metrics": metric_lists if setup.several else metric_lists[0],
        "loss_weights": setup.loss_weights,
    }


def _compile_from(model, config: dict) -> None:
    optimizer = _rebuild(config["optimizer"], optimizers, "optimizer")
    several = isinstance(config["loss"], list)
    loss = (
        [_rebuild(x, losses, "loss") for x in config["loss"]] if several else _rebuild(config["loss"], losses, "loss")
    )
    if several:
        metric_list = [[_rebuild(m, metrics, "metric") for m in part] for part in config["metrics"]]
    else:
        metric_list = [_rebuild(m, metrics, "metric") for m in config["metrics"]]
    model.compile(optimizer=optimizer, loss=loss, metrics=metric_list, loss_weights=config.get("loss_weights"))


# ---- optimizer state -------------------------------------------------------------------------
def _optimizer_state(model) -> tuple[dict, dict[str, torch.Tensor]]:
    optimizer = model.optimizer
    if optimizer is None or not optimizer.built:
        return {}, {}
    state = optimizer.torch_optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in state["state"].items():
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{index}.{key}"] = value
    meta = {
        "iterations": optimizer.iterations,
        "learning_rate": optimizer._learning_rate,
        "base_learning_rate": optimizer._base_learning_rate,
        "param_groups": state["param_groups"],
        "scalars": scalars,
    }
    return meta, tensors


def _restore_optimizer(model, meta: dict, tensors: dict[str, torch.Tensor]) -> None:
    if not meta:
        return
    model.build_optimizer()
    optimizer = model.optimizer
    state: dict[int, dict] = {}
    for key, value in [*tensors.items(), *meta["scalars"].items()]:
        index, _, name = key.partition(".")
        state.setdefault(int(index), {})[name] = value
    optimizer.torch_optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    optimizer.iterations = meta["iterations"]
    optimizer._learning_rate = meta["learning_rate"]
    optimizer._base_learning_rate = meta["base_learning_rate"]


# ---- the archive -----------------------------------------------------------------------------
def cnnkit_description(model) -> tuple[dict, bytes]:
    """cnnkit.json's contents and optimizer.safetensors's bytes for `model`."""
    optimizer_meta, optimizer_tensors = _optimizer_state(model)
    description = {
        "format": FORMAT,
        "version": 1,
        "model": serialize(model),
        "compile": compile_config(model),
        "optimizer_state": optimizer_meta,
    }
    return description, save_tensors(optimizer_tensors)


def write_archive(model, stream, extra: dict | None = None) -> None:
    """The archive into an open binary stream; `extra` adds JSON entries (name -> data)."""
    description, optimizer_tensors = cnnkit_description(model)
    weights = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items()}
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("cnnkit.json", json.dumps(description, indent=1))
        archive.writestr("model.safetensors", save_tensors(weights))
        archive.writestr("optimizer.safetensors", optimizer_tensors)
        for name, data in (extra or {}).items():
            archive.writestr(name, json.dumps(data))


FORMATS = ("keras", "h5", "cnnkit")


def format_for(filepath, format: str | None = None) -> str:
    """The file format `save_model` writes for this name: Keras's for `.keras` and `.h5`."""
    if format is not None:
        if format not in FORMATS:
            raise ValueError(f"save: format must be one of {', '.join(FORMATS)}; received format={format!r}")
        return format
    suffix = os.path.splitext(os.fspath(filepath))[1].lower()
    return {".keras": "keras", ".h5": "h5", ".hdf5": "h5"}.get(suffix, "cnnkit")


def save_model(model, filepath: str | os.PathLike, format: str | None = None) -> None:
    """Write architecture, weights, compile settings and optimizer state to one file, atomically,
    in Keras's format for `.keras` and `.h5` names and in cnnkit's own otherwise."""
    from cnnkit.models.keras_files import files as keras_files

    for layer in model.modules():  # refuse what could not be loaded back, before writing anything
        if hasattr(layer, "check_savable"):
            layer.check_savable()
    writers = {"keras": keras_files.write_keras_archive, "h5": keras_files.write_h5_model, "cnnkit": write_archive}
    buffer = io.BytesIO()  # h5py writes into a seekable stream; the file itself is written at once
    writers[format_for(filepath, format)](model, buffer)
    atomic_write(filepath, lambda stream: stream.write(buffer.getvalue()))


def restore_training_state(model, filepath: str | os.PathLike, extra: str) -> dict:
    """Put the weights and optimizer state saved at `filepath` back into `model` (already compiled
    the same way); returns the JSON entry `extra` saved with them."""
    path = os.fspath(filepath)
    description, weights, optimizer_tensors = _read_archive(path)
    load_state(model, load_tensors(weights), f"backup {path!r}")
    _restore_optimizer(model, description.get("optimizer_state") or {}, load_tensors(optimizer_tensors))
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(extra))


def _read_archive(path: str) -> tuple[dict, bytes, bytes]:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"model file {path!r} does not exist")
    try:
        from cnnkit.models.keras_files.files import MAX_CONFIG_BYTES, checked_member

        with zipfile.ZipFile(path) as archive:  # each member's size checked before it inflates
            description = json.loads(checked_member(archive, "cnnkit.json", path, MAX_CONFIG_BYTES))
            weights = checked_member(archive, "model.safetensors", path)
            return description, weights, checked_member(archive, "optimizer.safetensors", path)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(
            f"{path!r} is not a model file cnnkit reads (a Keras .keras or .h5 file, or cnnkit's own archive): {error}"
        ) from None


def compile_and_restore(model, description: dict, optimizer_tensors: bytes) -> None:
    """Compile `model` as cnnkit.json says and put the optimizer's state back."""
    if description.get("compile"):
        _compile_from(model, description["compile"])
        _restore_optimizer(model, description.get("optimizer_state") or {}, load_tensors(optimizer_tensors))


def load_model(
    filepath: str | os.PathLike, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True
):
    """The model saved at `filepath`: cnnkit's own archive, or a Keras `.keras` or `.h5` file
    (Keras 3, Keras 2 or tf.keras), told apart by content. Compiled as it was, with its optimizer
    state where the file has it, so training continues where it stopped. Custom layers,
    activations or losses come from `custom_objects`. Nothing in the file is executed, whatever
    `safe_mode` says (Keras's switch for running a Lambda's saved bytecode, which cnnkit never does)."""
    from cnnkit.models.keras_files import files as keras_files

    path = os.fspath(filepath)
    if os.path.isdir(path):
        raise ValueError(f"load_model: {path!r} is a folder; give the model file inside it")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"model file {path!r} does not exist")
    kind = keras_files.file_kind(path)
    with custom_objects_scope(custom_objects):
        if kind == "keras":
            return keras_files.load_keras_archive(path, compile)
        if kind == "h5":
            return keras_files.load_h5_model(path, compile)
        if kind is None:
            raise ValueError(
                f"{path!r} is not a model file cnnkit reads (a Keras .keras or .h5 file, or cnnkit's own archive)"
            )
        with keras_files.reading(path, "model file"):
            description, weights, optimizer_tensors = _read_archive(path)
            if description.get("format") != FORMAT:
                raise ValueError(f"{path!r} is not a cnnkit model file (its format is {description.get('format')!r})")
            model = deserialize(description["model"])
            load_state(model, load_tensors(weights), f"model file {path!r}")
            if compile:
                compile_and_restore(model, description, optimizer_tensors)
    return model


custom_objects_scope = custom_objects.custom_object_scope
