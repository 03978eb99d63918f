"""DataEntry: what a user passes to fit/evaluate/predict (arrays, tensors, generators, PyDatasets,
DataLoaders; one array or a list/dict of them per input and output), checked once and made into
the BatchSource the loop draws device batches from."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from cnnkit import distributed
from cnnkit.common import keras_defaults
from cnnkit.common.checks import positive_int
from cnnkit.common.layout import from_api_array
from cnnkit.common.py_dataset import PyDataset
from cnnkit.training.batch_sources import (
    ArrayBatches,
    Batch,
    BatchSource,
    StreamBatches,
    batch_length,
    convert_inputs,
    is_array,
    sample_count,
    split_batch,
    to_device,
)
from cnnkit.training.dataset_loading import DatasetBatches
from cnnkit.training.labels import as_tensor, class_weights_to_sample_weights, prepare_targets


class DataEntry:
    """Turns what a user passes to fit/evaluate/predict into device batches for `model`.

    A model with several inputs takes x as a list (in input order) or a dict by input name; one
    with several outputs takes y the same way, by output name.
    """

    def __init__(self, model, where: str, targets: str) -> None:
        """`targets`: "required" (the built-in steps), "optional" (a model's own train_step or
        test_step takes labels when given) or "none" (predict)."""
        self.model, self.where, self.targets = model, where, targets
        self.setup = model.training_setup
        self.input_names = getattr(model, "input_names", None)  # None: a single input
        self.output_names = getattr(model, "output_names", None)  # None: a single output

    def _per_name(self, data, names: list[str], argument: str, kind: str) -> list:
        if len(names) == 1 and not isinstance(data, (list, tuple, dict)):
            return [data]  # a model made with inputs=[x] takes its one array alone too, as in Keras
        if isinstance(data, dict):
            missing = [name for name in names if name not in data]
            if missing:
                raise ValueError(
                    f"{self.where}: {argument} has no entry for {kind}(s) {missing}; expected keys {names}"
                )
            return [data[name] for name in names]
        if not isinstance(data, (list, tuple)) or len(data) != len(names):
            count = len(data) if isinstance(data, (list, tuple)) else 1
            raise ValueError(
                f"{self.where}: the model has {len(names)} {kind}s {names}; pass {argument} as a list of "
                f"{len(names)} arrays or a dict by {kind} name (received {count})"
            )
        return list(data)

    def is_arrays(self, data) -> bool:
        if self.input_names is not None and isinstance(data, (list, tuple, dict)):
            values = data.values() if isinstance(data, dict) else data
            return len(values) > 0 and all(is_array(v) for v in values)
        return is_array(data)

    def count(self, data, name: str, several: bool) -> int:
        if not several or not isinstance(data, (list, tuple, dict)):
            return sample_count(data, name, self.where)
        values = list(data.values()) if isinstance(data, dict) else list(data)
        counts = {sample_count(v, name, self.where) for v in values}
        if len(counts) != 1:
            raise ValueError(f"{self.where}: the arrays of {name} have different numbers of samples: {sorted(counts)}")
        return counts.pop()

    def _input_name(self) -> str | None:
        try:
            return self.model.inputs[0].source.name
        except (AttributeError, ValueError, IndexError):  # no graph input (a subclassed model)
            return None

    def _one_output_labels(self, y):
        """A one-output model's labels given as a dict by its output's name ({"ctc": zeros} in Keras
        2's image_ocr.py), as Keras takes them for its compiled loss: that entry."""
        if self.output_names is not None or not isinstance(y, dict) or self.setup is None or not self.setup.has_loss:
            return y  # (a model's own train_step reads its labels as they come)
        name = self.model.single_output_name() if hasattr(self.model, "single_output_name") else None
        if len(y) != 1 or (name is not None and name not in y):
            raise ValueError(f"{self.where}: y is a dict {sorted(y)}; this model has one output, named {name!r}")
        return next(iter(y.values()))

    def _first_input_decides(self, x):
        """Keras 2.3's predict took the number of samples from the first input array and cut the
        longer ones to it (Keras 2's cnn_seq2seq.py relies on it); Keras 3 refuses the mismatch."""
        parts = self._per_name(x, self.input_names, "x", "input")
        if not all(is_array(part) for part in parts):
            return x
        count = sample_count(parts[0], "x", self.where)
        return [part[:count] if sample_count(part, "x", self.where) > count else part for part in parts]

    def _inputs(self, x):
        if self.input_names is not None:
            shapes = self.model.input_shape
            parts = self._per_name(x, self.input_names, "x", "input")
            return tuple(
                convert_inputs(p, s, self.model.device, f"{self.where} (input '{n}')")
                for p, s, n in zip(parts, shapes, self.input_names)
            )
        if isinstance(x, dict):  # a one-input model's data by its input's name, as Keras takes it
            x = x.get(self._input_name(), x)
        if self.model.input_shape is None:
            if not self.model.builds_from_data():  # its own train_step decides what the inputs are
                return convert_inputs(x, None, self.model.device, self.where)
            self.model.ensure_built((None, *tuple(as_tensor(x).shape[1:])), self.where)
        return convert_inputs(x, self.model.input_shape, self.model.device, self.where)

    def _targets(self, y, first: bool):
        """Labels checked against each output's loss, on the device; a model compiled without a
        loss (its own train_step computes one) gets them only converted, as Keras hands them on."""
        y = self._one_output_labels(y)
        setup = self.setup
        several = self.output_names is not None
        if setup is None or not setup.has_loss:
            if setup is not None and first and y is not None:  # compile's metrics still apply to them
                parts = self._per_name(y, self.output_names, "y", "output") if several else [y]
                shapes = self.model.output_shape if several else [self.model.output_shape]
                for part, output, shape in zip(parts, setup.outputs, shapes):
                    output.resolve_metrics(as_tensor(part).dim(), shape)
            return converted_targets(y, self.model.device)
        setup.require_loss(self.where)
        parts = self._per_name(y, self.output_names, "y", "output") if several else [y]
        shapes = self.model.output_shape if several else [self.model.output_shape]
        targets = []
        for part, output, shape in zip(parts, setup.outputs, shapes):
            if first:
                output.resolve_metrics(as_tensor(part).dim(), shape)
            where = self.where if output.name is None else f"{self.where} (output '{output.name}')"
            targets.append(to_device(prepare_targets(part, output.loss, shape, where), self.model.device))
        return tuple(targets) if several else targets[0]

    def _weights(self, y: torch.Tensor, sample_weight, class_weight, count: int) -> torch.Tensor | None:
        weights = None
        if sample_weight is not None and self.output_names is not None and isinstance(sample_weight, (list, dict)):
            # one weight array per output (Keras's list or dict by output name): one column each
            parts = self._per_name(sample_weight, self.output_names, "sample_weight", "output")
            columns = [torch.ones(count) if part is None else as_tensor(part).float().reshape(-1) for part in parts]
            for column in columns:
                if column.shape[0] != count:
                    raise ValueError(f"{self.where}: sample_weight has {column.shape[0]} entries for {count} samples")
            weights = to_device(torch.stack(columns, dim=1), self.model.device)
        elif sample_weight is not None:
            weights = as_tensor(sample_weight).float().reshape(-1)
            if weights.shape[0] != count:
                raise ValueError(f"{self.where}: sample_weight has {weights.shape[0]} entries for {count} samples")
            weights = to_device(weights, self.model.device)
        if class_weight is not None:
            if self.output_names is not None:
                raise ValueError(f"{self.where}: class_weight is not supported for models with several outputs")
            if not isinstance(class_weight, dict):
                raise ValueError(
                    f"{self.where}: class_weight must be a dict {{class: weight}}; received {class_weight!r}"
                )
            by_class = class_weights_to_sample_weights(y, class_weight, self.where)
            weights = by_class if weights is None else weights * by_class
        return weights

    def batches(
        self, x, y=None, sample_weight=None, class_weight=None, batch_size=None, shuffle=False, steps=None, shard=None
    ) -> BatchSource:
        if self.is_arrays(x):
            return self._from_arrays(
                x, y, sample_weight, class_weight, 32 if batch_size is None else batch_size, shuffle, steps, shard
            )
        if y is not None or sample_weight is not None:
            raise ValueError(
                f"{self.where}: when x is a generator, PyDataset or DataLoader it gives the labels itself; pass y=None"
            )
        if batch_size is not None:
            raise ValueError(
                f"{self.where}: batch_size is set by the generator, PyDataset or DataLoader; pass batch_size=None"
            )

        def convert(raw, first: bool) -> Batch:
            bx, by, bw = split_batch(raw, self.where)
            inputs = self._inputs(bx)
            if self.targets == "none" or (by is None and self.targets == "optional"):
                return inputs, None, None
            if by is None:
                raise ValueError(f"{self.where}: the data source yields no labels; it must yield (x, y) batches")
            targets = self._targets(by, first)
            if not isinstance(targets, dict) and batch_length(targets) != batch_length(inputs):
                raise ValueError(
                    f"{self.where}: a batch has {batch_length(inputs)} inputs but {batch_length(targets)} labels"
                )
            return inputs, targets, self._weights(targets, bw, class_weight, batch_length(inputs))

        if isinstance(x, PyDataset):
            pin = self.model.device.type == "cuda"
            # A dataset standing for a tf.data.Dataset keeps its own order, as Keras's fit leaves those.
            shuffle = shuffle and getattr(x, "shuffle_by_fit", True)
            return DatasetBatches(x, steps, shuffle, convert, self.where, pin, shard)
        return StreamBatches(x, steps, convert, self.where)

    def _from_arrays(self, x, y, sample_weight, class_weight, batch_size, shuffle, steps, shard) -> ArrayBatches:
        if self.targets == "none" and self.input_names is not None and keras_defaults.version() == 2:
            x = self._first_input_decides(x)
        count = self.count(x, "x", self.input_names is not None)
        if count == 0:
            raise ValueError(f"{self.where}: x is empty (0 samples)")
        positive_int(batch_size, "batch_size", self.where, allow_none=True)
        inputs = self._inputs(x)
        targets = weights = None
        if self.targets == "required" or (self.targets == "optional" and y is not None):
            if y is None:
                raise ValueError(f"{self.where}: y (the labels) is missing")
            y = self._one_output_labels(y)
            labels = self.count(y, "y", self.output_names is not None and isinstance(y, (list, tuple, dict)))
            if labels != count:
                raise ValueError(f"{self.where}: x has {count} samples but y has {labels}")
            _refuse_text_labels(y, self.where)
            targets = self._targets(y, first=True)
            weights = self._weights(targets, sample_weight, class_weight, count)
        if self.where == "fit":  # once per call, over the arrays already on the device
            _warn_non_finite(inputs, "x", self.where)
            _warn_non_finite(weights, "sample_weight", self.where)
        return ArrayBatches(inputs, targets, weights, batch_size, shuffle, steps, shard)


def _warn_non_finite(tensors, what: str, where: str) -> None:
    """Keras trains on NaN or infinite inputs and ends with NaN weights; cnnkit trains on too, but says
    so first, with the way to stop such a run."""
    for tensor in tensors if isinstance(tensors, tuple) else [tensors]:
        if tensor is None or not tensor.is_floating_point():
            continue
        bad = ~torch.isfinite(tensor)
        count = int(bad.sum())
        if count:
            first = int(bad.reshape(len(tensor), -1).any(dim=1).nonzero()[0, 0]) if tensor.dim() else 0
            warnings.warn(
                f"{where}: {what} holds {count} NaN or infinite values (the first in sample {first}); training "
                "on them makes the weights NaN. Clean the data, or pass callbacks=[TerminateOnNaN()] to stop",
                stacklevel=6,  # the user's call of fit
            )


def _refuse_text_labels(y, where: str) -> None:
    """Labels given as words ("cat", "dog") are turned into numbers by the user, who knows their order."""
    parts = (
        list(y.values())
        if isinstance(y, dict)
        else list(y)
        if isinstance(y, (list, tuple)) and not is_array(y)
        else [y]
    )
    for part in parts:
        if isinstance(part, torch.Tensor) or part is None:
            continue
        array = np.asarray(part) if not isinstance(part, np.ndarray) else part
        first = array.reshape(-1)[0] if array.size else None
        if array.dtype.kind in "USO" and isinstance(first, (str, bytes)):
            raise ValueError(
                f"{where}: the labels are text ({str(first)!r}, ...); give class numbers, e.g. "
                "classes, y = numpy.unique(labels, return_inverse=True)"
            )


def converted_targets(y, device: torch.device):
    """Labels for a model's own steps: tensors on the device, floats as float32, images NCHW;
    several outputs' labels keep their list or dict."""
    if isinstance(y, dict):
        return {name: converted_targets(value, device) for name, value in y.items()}
    if isinstance(y, (list, tuple)) and not is_array(y):
        return tuple(converted_targets(value, device) for value in y)
    return from_api_array(to_device(as_tensor(y), device), device)


def validation_batches(model, validation_data, batch_size, steps) -> BatchSource:
    targets = "required" if model.needs_compiled_loss("test_step") else "optional"
    entry = DataEntry(model, "fit (validation_data)", targets)
    shard = "eval" if distributed.active() else None
    if isinstance(validation_data, (tuple, list)):
        if len(validation_data) not in (2, 3):
            raise ValueError(
                "fit: validation_data must be (x_val, y_val) or (x_val, y_val, sample_weight); "
                f"received a sequence of {len(validation_data)} items"
            )
        vx, vy, vw = (*validation_data, None)[:3]
        return entry.batches(vx, vy, vw, batch_size=batch_size, steps=steps, shard=shard)
    return entry.batches(validation_data, steps=steps, shard=shard)
