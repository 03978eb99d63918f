"""The Model base: compile / fit / evaluate / predict / summary around a Layer.

Subclasses (Sequential, Functional) provide the graph: `input_shape`,
`output_shape`, `ensure_built`, `forward`, `forward_logits`, `output_activation`, `summary_rows`;
for a user's subclass that defines `call`, SubclassedModel provides them by running it.
"""

from __future__ import annotations

import os

import numpy as np
import torch

from cnnkit import session
from cnnkit.common import keras_defaults
from cnnkit.common.files import atomic_write
from cnnkit.common.layout import from_api_array
from cnnkit.common.py_dataset import PyDataset
from cnnkit.layers.layer import Layer
from cnnkit.layers.node import is_symbolic
from cnnkit.models import weights_file
from cnnkit.models.subclassing import SubclassedModel
from cnnkit.models.summary import print_summary
from cnnkit.models.trainer import Trainer, trainable_as_compiled
from cnnkit.training import loop
from cnnkit.training.compiled_setup import CompiledSetup
from cnnkit.training.data_entry import DataEntry
from cnnkit.training.step_protocol import overrides, pack_x_y_sample_weight, python_logs


class Model(Trainer, SubclassedModel, Layer):
    """The base of every model. `Model(inputs, outputs)` makes a functional model, as in Keras;
    a subclass that defines `call` is a subclassed model (subclassing.py)."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from cnnkit.models.functional import Functional  # the subclass lives in its own file

            return super().__new__(Functional)
        inputs = args[0] if args else kwargs.get("inputs")
        functional_arguments = (len(args) >= 2 or "outputs" in kwargs) and _is_symbolic_inputs(inputs)
        if functional_arguments and cls._is_plain_model_subclass():
            # `CustomModel(inputs, outputs)` for a subclass that only overrides train_step and the
            # like: a functional model of that class, as Keras makes one.
            return super().__new__(_functional_version(cls))
        return super().__new__(cls)

    @classmethod
    def _is_plain_model_subclass(cls) -> bool:
        from cnnkit.models.functional import Functional
        from cnnkit.models.sequential import Sequential

        return not issubclass(cls, (Functional, Sequential)) and cls.call is Layer.call

    def __init__(self, name: str | None = None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.training_setup: CompiledSetup | None = None
        self.stop_training = False
        self.history = None
        self._target_device: torch.device | None = None

    def accept_arrays(self, x):
        # Sequential and Functional convert NumPy input themselves, checking its shape; a
        # channels-last tensor from an earlier call becomes the NCHW view they take.
        if isinstance(x, (list, tuple)):
            return [self.accept_arrays(part) for part in x]
        return x if isinstance(x, np.ndarray) else from_api_array(x, None)

    # Names of the inputs / outputs of a model with several of them (None: just one).
    input_names: list[str] | None = None
    output_names: list[str] | None = None

    # ---- where the model runs -----------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        """Where the weights are; before they exist, where they will be created."""
        for tensor in self.parameters():
            return tensor.device
        for tensor in self.buffers():
            return tensor.device
        return self._target_device or session.get_device()

    # ---- compile ------------------------------------------------------------------------------
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        loss_weights=None,
        weighted_metrics=None,
        run_eagerly: bool | None = None,
        steps_per_execution: int = 1,
        jit_compile="auto",
        device: str | torch.device | None = None,
    ) -> None:
        """Keras's compile. `jit_compile=True` runs the forward passes (and with them the backward)
        through torch.compile; the default runs eagerly (on a CPU compiling did not pay: training
        0.44x-0.79x of eager, bench/jit_compile.py). The model trains where its weights are:
        by default `cnnkit.session.get_device()` (CUDA when available); `device=` moves it."""
        several = self.output_names is not None
        if weighted_metrics is not None or (loss_weights is not None and not several):
            raise ValueError(
                "compile: loss_weights applies to models with several outputs, and weighted_metrics is not "
                "supported yet"
            )
        if jit_compile not in ("auto", True, False, None):
            raise ValueError(f"compile: jit_compile must be True, False or 'auto'; received {jit_compile!r}")
        if steps_per_execution != 1:
            raise ValueError(f"compile: only steps_per_execution=1 is supported; received {steps_per_execution!r}")
        if not several:
            loss, metrics = (
                self._by_the_output_name(value, what) for value, what in ((loss, "loss"), (metrics, "metrics"))
            )
        self.training_setup = CompiledSetup(optimizer, loss, metrics, loss_weights, self.output_names)
        if keras_defaults.version() == 2:
            # Keras 2 fixed the weights to train at compile: a GAN compiles its discriminator, then
            # sets discriminator.trainable = False for the combined model, and still trains it alone.
            self.training_setup.trainable_at_compile = [p for p in self.parameters() if p.requires_grad]
        # "auto" is eager, as Keras's torch backend chooses: torch.compile's minutes of compiling
        # pay only for long runs (and need a C++ compiler on CPUs).
        self.training_setup.jit_compile = jit_compile is True
        if device is not None:
            self._target_device = torch.device(device)
            self.to(self._target_device)

    def single_output_name(self) -> str | None:
        """The name Keras gives a one-output model's output (its layer's); None if it has no graph."""
        try:
            return self.outputs[0].source.name
        except (AttributeError, ValueError, IndexError):  # a Sequential not built yet: its last layer's
            return self.layers[-1].name if getattr(self, "layers", None) else None

    def _by_the_output_name(self, value, what: str):
        """A one-output model's loss or metrics given as a dict by its output's name, as Keras takes
        them (`compile(loss={"ctc": ...})` in Keras 2's image_ocr.py): the entry for that output."""
        if not isinstance(value, dict):
            return value
        name = self.single_output_name()
        if name not in value or len(value) != 1:
            raise ValueError(f"compile: {what} is a dict {sorted(value)}; this model has one output, named {name!r}")
        return value[name]

    def require_compiled(self, where: str, need_loss: bool = True) -> None:
        """`need_loss`: False for a model whose own train_step/test_step computes its loss."""
        if self.training_setup is None:
            raise ValueError(f"{where}: the model must be compiled first: call model.compile(optimizer=..., loss=...)")
        if need_loss:
            self.training_setup.require_loss(where)
        self.training_setup.regularized = self.has_regularizers
        self.training_setup.constrained = self.constrained_weights()

    @property
    def has_regularizers(self) -> bool:
        """Whether any weight carries a regularizer (looked up once per fit/evaluate call)."""
        return any(getattr(module, "_weight_regularizers", None) for module in self.modules())

    def build_optimizer(self) -> None:
        setup = self.training_setup
        if not setup.optimizer.built:
            with trainable_as_compiled(setup):
                setup.optimizer.build(setup.trainable_at_compile or self.parameters())

    # ---- Keras's training API -----------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, **kwargs):
        """Train on arrays (N, H, W, C), tensors, generators of (x, y) batches, or a DataLoader.

        Takes Keras's arguments: validation_split, validation_data, shuffle, class_weight,
        sample_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
        validation_freq; and Keras 2's max_queue_size, workers and use_multiprocessing, which
        set how a PyDataset (Sequence) loads. Returns a History whose `history` dict holds one
        value per epoch.
        """
        loading = _pop_loading_settings(kwargs)
        _loading_settings(x, *loading)
        validation = kwargs.get("validation_data")
        _loading_settings(validation, *loading)
        return loop.fit(self, x, y, batch_size, epochs, verbose, callbacks, **kwargs)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", **kwargs):
        """The loss, or [loss, *metrics] (a dict with return_dict=True), over the data."""
        _loading_settings(x, *_pop_loading_settings(kwargs))
        return loop.evaluate(self, x, y, batch_size, verbose, **kwargs)

    def predict(
        self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, max_queue_size=None, workers=None,
        use_multiprocessing=None,
    ) -> np.ndarray:  # fmt: skip
        """Outputs as a NumPy array (images channels-last), computed in inference mode."""
        _loading_settings(x, max_queue_size, workers, use_multiprocessing)
        return loop.predict(self, x, batch_size, verbose, steps, callbacks)

    # Keras 2's generator methods, kept by old tutorials: thin aliases, as fit, evaluate and predict
    # take generators and PyDatasets themselves. `workers`, `use_multiprocessing` and
    # `max_queue_size` apply to a PyDataset (such as an ImageDataGenerator flow) when given.
    def fit_generator(
        self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None, validation_data=None,
        validation_steps=None, validation_freq=1, class_weight=None, max_queue_size=None, workers=None,
        use_multiprocessing=None, shuffle=True, initial_epoch=0,
    ):  # fmt: skip
        _loading_settings(generator, max_queue_size, workers, use_multiprocessing)
        return self.fit(
            generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose, callbacks=callbacks,
            validation_data=validation_data, validation_steps=validation_steps, validation_freq=validation_freq,
            class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch,
        )  # fmt: skip

    def evaluate_generator(
        self, generator, steps=None, callbacks=None, max_queue_size=None, workers=None, use_multiprocessing=None,
        verbose=0,
    ):  # fmt: skip
        _loading_settings(generator, max_queue_size, workers, use_multiprocessing)
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(
        self, generator, steps=None, callbacks=None, max_queue_size=None, workers=None, use_multiprocessing=None,
        verbose=0,
    ) -> np.ndarray:  # fmt: skip
        _loading_settings(generator, max_queue_size, workers, use_multiprocessing)
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One update on exactly this batch (through train_step); returns that batch's loss and metrics."""
        where = "train_on_batch"
        custom = overrides(self, "train_step")
        needs_loss = self.needs_compiled_loss("train_step")
        self.require_compiled(where, need_loss=needs_loss)
        entry = DataEntry(self, where, "required" if needs_loss else "optional")
        batches = entry.batches(x, y, sample_weight, class_weight, batch_size=self._batch_count(x))
        if not custom:
            self.build_optimizer()
        self.reset_metrics()
        logs = None
        with loop.running_mode(self, training=True):
            for bx, by, bw in batches.epoch():
                logs = loop.run_step(self, self.train_step, pack_x_y_sample_weight(bx, by, bw))
        return self._batch_logs(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        where = "test_on_batch"
        needs_loss = self.needs_compiled_loss("test_step")
        self.require_compiled(where, need_loss=needs_loss)
        batches = DataEntry(self, where, "required" if needs_loss else "optional").batches(
            x, y, sample_weight, batch_size=self._batch_count(x)
        )
        return self._batch_logs(loop.run_evaluation(self, batches, 0, None), return_dict)

    def predict_on_batch(self, x) -> np.ndarray:
        return self.predict(x, batch_size=self._batch_count(x), verbose=0)

    def _batch_count(self, x) -> int:
        entry = DataEntry(self, "a batch", "none")
        return max(entry.count(x, "x", self.input_names is not None), 1)

    @staticmethod
    def _batch_logs(logs, return_dict: bool):
        logs = python_logs(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    @property
    def optimizer(self):
        return None if self.training_setup is None else self.training_setup.optimizer

    @property
    def loss(self):
        return None if self.training_setup is None else self.training_setup.loss

    # ---- saving ---------------------------------------------------------------------------------
    def save(self, filepath, overwrite: bool = True, format: str | None = None) -> None:
        """One file with the architecture, weights, compile settings and optimizer state, which
        `cnnkit.models.load_model` reads back: Keras 3's archive for `.keras`, Keras's legacy HDF5
        for `.h5` (both loadable by real Keras), cnnkit's own archive for other names or
        `format="cnnkit"`."""
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save: {os.fspath(filepath)!r} exists and overwrite=False")
        from cnnkit.models.saving import save_model  # saving knows every model class

        save_model(self, filepath, format)

    def export(self, filepath, format: str = "onnx") -> None:
        """Write an inference file that runs without cnnkit: format "onnx" (onnxruntime, ...) or
        "torchscript" (torch.jit.load). It takes what predict takes: channels-last images."""
        from cnnkit.models.export import export_model

        export_model(self, filepath, format)

    def save_training_state(self, filepath, extra: dict) -> None:
        """Write, atomically, what resuming needs (the model file's contents and the optimizer's
        state) plus `extra` JSON entries (name -> data); BackupAndRestore's backup."""
        from cnnkit.models.saving import write_archive

        atomic_write(filepath, lambda stream: write_archive(self, stream, extra))

    def load_training_state(self, filepath, extra: str) -> dict:
        """Put back the weights and optimizer state `save_training_state` wrote (into a model
        compiled the same way); returns its JSON entry named `extra`."""
        from cnnkit.models.saving import restore_training_state

        return restore_training_state(self, filepath, extra)

    # ---- weights files ------------------------------------------------------------------------
    def to_json(self, **json_arguments) -> str:
        """The architecture as JSON text, without weights (`cnnkit.models.model_from_json` reads it)."""
        from cnnkit.models.serialization import to_json

        return to_json(self, **json_arguments)

    def save_weights(self, filepath, overwrite: bool = True, save_format=None) -> None:
        """Write the weights to `filepath` atomically; `load_weights` reads them back without running code.
        A `.weights.h5` name gives Keras 3's weights file, another `.h5` name Keras 2's, any other name
        cnnkit's safetensors file. Keras's overwrite=False refuses an existing file; Keras 2's
        save_format is accepted and ignored."""
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"save_weights: {os.fspath(filepath)!r} exists and overwrite=False")
        weights_file.save_weights(self, filepath)

    def load_weights(self, filepath, skip_mismatch: bool = False, by_name: bool = False) -> None:
        """Load weights for a model with the same layers: from `save_weights`'s files, Keras's
        `.weights.h5` and legacy `.h5` files (by_name=True matches a legacy file's layers by
        name), or the weights inside a whole-model file. skip_mismatch is accepted only at False."""
        if skip_mismatch:
            raise ValueError(
                "load_weights: skip_mismatch=True is not supported; load into a model with the same layers"
            )
        weights_file.load_weights(self, filepath, by_name=by_name)

    def reset_states(self) -> None:
        """Clear the carried states of every stateful recurrent layer (Keras 2's model.reset_states)."""
        for module in self.modules():
            if module is not self and getattr(module, "stateful", False) and hasattr(module, "reset_states"):
                module.reset_states()

    # ---- inspection ---------------------------------------------------------------------------
    def summary(
        self,
        line_length: int | None = None,
        positions=None,
        print_fn=None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range=None,
    ) -> None:
        """Print Keras's table: each layer's name (type), output shape and parameter count, and
        with show_trainable whether its weights train (Y/N). `positions` (column widths) and
        `expand_nested` are accepted, but the columns size themselves and a model inside a model
        is one row."""
        if layer_range is not None:
            raise ValueError("summary: layer_range is not supported; the summary lists every layer")
        print_summary(self, line_length, print_fn, show_trainable)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        layers = list(self.layers)
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: index {index} is out of range; the model has {len(layers)} layers")
            return layers[index]
        for layer in layers:
            if getattr(layer, "name", None) == name:
                return layer
        names = ", ".join(getattr(layer, "name", "?") for layer in layers)
        raise ValueError(f"get_layer: no layer named {name!r}; layers are: {names}")


def _pop_loading_settings(kwargs: dict) -> tuple:
    """Keras 2's loading arguments of fit/evaluate: (max_queue_size, workers, use_multiprocessing)."""
    return tuple(kwargs.pop(name, None) for name in ("max_queue_size", "workers", "use_multiprocessing"))


def _loading_settings(data, max_queue_size, workers, use_multiprocessing) -> None:
    """The *_generator methods' loading arguments, set on a PyDataset (other sources load in the
    training thread, as fit does with them)."""
    if not isinstance(data, PyDataset):
        return
    if workers is not None:
        data.workers = max(1, int(workers))  # Keras 2's workers=0 meant the training thread
    if use_multiprocessing is not None:
        data.use_multiprocessing = bool(use_multiprocessing)
    if max_queue_size is not None:
        data.max_queue_size = max(1, int(max_queue_size))


_functional_versions: dict[type, type] = {}


def _functional_version(cls: type) -> type:
    """`cls` with Functional's graph beneath its own methods (one class per subclass): its
    train_step, metrics and compile come first, the graph's forward and shapes after them."""
    from cnnkit.models.functional import Functional

    if cls not in _functional_versions:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        _functional_versions[cls] = type(cls.__name__, (cls, Functional), namespace)
    return _functional_versions[cls]


def _is_symbolic_inputs(inputs) -> bool:
    """Whether a model's first argument is a graph's inputs (Input tensors, alone, in a list or a
    dict), which makes `CustomModel(inputs, outputs)` functional; anything else (the two models a
    GAN holds) goes to the subclass's own __init__."""
    values = list(inputs.values()) if isinstance(inputs, dict) else inputs
    return is_symbolic(values)
