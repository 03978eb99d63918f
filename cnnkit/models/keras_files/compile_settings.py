"""The compile settings of a Keras file (`compile_config` in a `.keras` archive, `training_config`
in a legacy `.h5`) as cnnkit's compile arguments, and cnnkit's as Keras writes them.

Keras itself only warns when a file's compile settings cannot be rebuilt and returns the model
uncompiled; cnnkit does the same, with the warning naming what it could not rebuild.
"""

from __future__ import annotations

import warnings

from cnnkit.models.keras_files.config_from_keras import KerasConfigError, _find, _kept_arguments

IGNORED_OPTIMIZER = {
    "use_ema": (False,),
    "ema_momentum": None,
    "ema_overwrite_frequency": (None,),
    "is_legacy_optimizer": None,
}


def _object(kind: str, value, where: str):
    """A loss, metric, optimizer or schedule from a string or {"class_name", "config"}."""
    if not isinstance(value, dict):
        return value
    cls = _find(kind, value.get("class_name"), where)
    if not isinstance(cls, type):
        return cls
    config = dict(value.get("config") or {})
    if kind == "optimizer":
        for key, inert in IGNORED_OPTIMIZER.items():
            if key in config and (inert is None or config[key] in inert):
                del config[key]
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _object("schedule", config["learning_rate"], where)
    return cls(**_kept_arguments(cls, config, f"{where} {value.get('class_name')}"))


def _each(value, kind: str, where: str):
    if isinstance(value, list):
        return [_each(v, kind, where) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {key: _each(v, kind, where) for key, v in value.items()}
    return _object(kind, value, where)


def compile_from_keras(model, config: dict | None, source: str) -> None:
    """Compile `model` as the file says; warn and leave it uncompiled where cnnkit cannot."""
    if not config:
        return
    optimizer = config.get("optimizer", config.get("optimizer_config"))
    try:
        model.compile(
            optimizer=_object("optimizer", optimizer, f"{source}: optimizer") if optimizer else "rmsprop",
            loss=_each(config.get("loss"), "loss", f"{source}: loss"),
            metrics=_each(config.get("metrics") or [], "metric", f"{source}: metric"),
            loss_weights=config.get("loss_weights"),
        )
    except (KerasConfigError, ValueError, TypeError) as error:
        warnings.warn(f"{source}: the model is not compiled ({error}); call model.compile() yourself", stacklevel=3)


# ---- writing -------------------------------------------------------------------------------
def _keras_object(description, module: str):
    if isinstance(description, dict) and "function" in description:
        return description["function"]
    if isinstance(description, dict) and "class_name" in description:
        config = dict(description["config"])
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _keras_object(config["learning_rate"], "keras.optimizers.schedules")
        if not config.get("decay"):  # Keras 3 refuses the argument; cnnkit writes 0 when unused
            config.pop("decay", None)
        return {"module": module, "class_name": description["class_name"], "config": config, "registered_name": None}
    if isinstance(description, list):
        return [_keras_object(d, module) for d in description]
    return description


def keras_compile_config(model) -> dict | None:
    """Keras 3's compile_config for config.json, or None for a model never compiled."""
    from cnnkit.models.saving import compile_config

    config = compile_config(model)
    if config is None:
        return None
    return {
        "optimizer": _keras_object(config["optimizer"], "keras.optimizers"),
        "loss": _keras_object(config["loss"], "keras.losses"),
        "loss_weights": config["loss_weights"],
        "metrics": _keras_object(config["metrics"], "keras.metrics"),
        "weighted_metrics": None,
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def legacy_training_config(model) -> dict | None:
    """The same settings as a legacy `.h5` file's training_config."""
    config = keras_compile_config(model)
    if config is None:
        return None
    optimizer = config.pop("optimizer")
    if isinstance(optimizer, dict):
        optimizer = {"class_name": optimizer["class_name"], "config": optimizer["config"]}
    return {**config, "optimizer_config": optimizer}
