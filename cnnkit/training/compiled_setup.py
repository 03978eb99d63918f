"""What `compile` records: the optimizer, each output's loss and metrics, and their running totals.

A model with one output is a model whose list of outputs has one entry: the same object serves
both, and only the log names differ (Keras's `loss`, `accuracy` for one output; `loss`, then
`<output>_loss` and `<output>_<metric>` for each of several).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from cnnkit import losses, mixed_precision, optimizers
from cnnkit.common.layout import api_shape
from cnnkit.metrics import lookup as metric_lookup
from cnnkit.metrics.metric import Metric
from cnnkit.metrics.reduction_metrics import Mean


class OutputTargets:
    """One output's loss and metrics, with the running mean of its own loss."""

    def __init__(self, name: str | None, loss, metric_ids, weight: float) -> None:
        self.name = name  # None for a model's only output: its logs carry no prefix
        self.loss = None if loss is None else losses.get(loss)
        if metric_ids is not None and not isinstance(metric_ids, (list, tuple)):
            raise TypeError(f"compile: metrics must be a list; received {metric_ids!r}.")
        self.metric_ids = list(metric_ids or [])
        metric_lookup.check_names(self.metric_ids)
        self.metrics: list[Metric] | None = None  # resolved when the labels are first seen
        self.weight = weight
        self.loss_tracker = Mean("loss" if name is None else f"{name}_loss")

    def resolve_metrics(self, label_rank: int, output_shape: tuple) -> None:
        if self.metrics is None:
            loss_name = self.loss.name if self.loss is not None else ""
            self.metrics = [metric_lookup.get(i, loss_name, label_rank, output_shape) for i in self.metric_ids]

    def prefixed(self, name: str) -> str:
        return name if self.name is None else f"{self.name}_{name}"


def per_output(value, names: list[str], argument: str, default=None) -> list:
    """Keras's forms for a per-output compile argument: one value for every output, a list in
    output order, or a dict by output name."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"compile: {argument} names unknown output(s) {unknown}; the outputs are {names}")
        return [value.get(name, default) for name in names]
    if isinstance(value, (list, tuple)) and argument != "metrics":
        if len(value) != len(names):
            raise ValueError(f"compile: {argument} has {len(value)} entries for {len(names)} outputs ({names})")
        return list(value)
    if (
        argument == "metrics"
        and isinstance(value, (list, tuple))
        and value
        and all(isinstance(v, (list, tuple)) or v is None for v in value)
    ):
        if len(value) != len(names):
            raise ValueError(f"compile: metrics has {len(value)} lists for {len(names)} outputs ({names})")
        return list(value)
    return [value if value is not None else default for _ in names]


class CompiledSetup:
    """compile's settings and the running totals behind the logs. `outputs` holds one
    OutputTargets per model output; the loss that training minimises is their loss_weights-weighted
    sum (one output: its loss)."""

    def __init__(self, optimizer="rmsprop", loss=None, metric_ids=None, loss_weights=None, output_names=None) -> None:
        self.optimizer = optimizers.get(optimizer)
        self.several = output_names is not None
        if self.several:
            losses_ = per_output(loss, output_names, "loss")
            metric_lists = per_output(metric_ids, output_names, "metrics", default=[])
            metric_lists = [m if isinstance(m, (list, tuple)) else [m] for m in metric_lists]
            weights = per_output(loss_weights, output_names, "loss_weights", default=1.0)
            self.outputs = [
                OutputTargets(name, lo, m, float(w))
                for name, lo, m, w in zip(output_names, losses_, metric_lists, weights)
            ]
        else:
            self.outputs = [OutputTargets(None, loss, metric_ids, 1.0)]
        self.loss_tracker = Mean("loss")
        self.regularized = False  # any weight regularizer in the model? set by Model.require_compiled
        self.constrained: list = []  # (weight, Keras order, constraint), also set by require_compiled
        self.precision = mixed_precision.global_policy()  # the policy in force at compile()
        self.grad_scaler = None  # made on the first float16 step
        self.trainable_at_compile: list | None = None  # under Keras 2's defaults: compile fixed them
        self.jit_compile = False  # compile(jit_compile=True): forward passes through torch.compile
        self.compiled_forward = None
        self.distributed_forward = None  # DistributedDataParallel's wrapper while fit runs under torchrun
        self.check_finite = False  # TerminateOnNaN: stop before a non-finite loss reaches the weights

    # ---- what compile() was given, in Keras's single- or several-output form -------------------
    def _as_given(self, values: list):
        return values if self.several else values[0]

    @property
    def loss(self):
        return self._as_given([part.loss for part in self.outputs])

    @property
    def metric_ids(self) -> list:
        return self._as_given([part.metric_ids for part in self.outputs])

    @property
    def loss_weights(self) -> list[float] | None:
        return [part.weight for part in self.outputs] if self.several else None

    @property
    def has_loss(self) -> bool:
        return any(part.loss is not None for part in self.outputs)

    def require_loss(self, where: str):
        missing = [part.name for part in self.outputs if part.loss is None]
        if missing and not self.several:
            raise ValueError(f"{where}: the model was compiled without a loss; pass loss= to compile().")
        if missing:
            raise ValueError(f"{where}: compile() gave no loss for output(s) {missing}; pass loss= for every output")
        return self.loss

    @property
    def metrics_use_probabilities(self) -> bool:
        return any(metric.uses_probabilities for part in self.outputs for metric in part.metrics or [])

    # ---- the loss and the running totals --------------------------------------------------------
    def total_loss(self, y_true: list, y_pred: list, sample_weight) -> tuple[torch.Tensor, list]:
        """(the weighted sum of the outputs' losses, each output's loss)."""
        weights = self.per_output(sample_weight)
        parts = [part.loss(t, p, w) for part, t, p, w in zip(self.outputs, y_true, y_pred, weights)]
        if not self.several:
            return parts[0], parts
        return sum(part.weight * value for part, value in zip(self.outputs, parts)), parts

    def update_metrics(self, y_true: list, y_pred: list, sample_weight) -> None:
        if all(target is None for target in y_true):  # trained without labels (on losses it added)
            return
        weights = self.per_output(sample_weight)
        for part, target, prediction, weight in zip(self.outputs, y_true, y_pred, weights):
            for metric in part.metrics or []:
                metric.update_state(target, prediction, weight)

    def per_output(self, sample_weight) -> list:
        """Each output's sample weights: a column each when they were given per output (one
        (batch, outputs) tensor, made by DataEntry), else the same for all."""
        if self.several and isinstance(sample_weight, torch.Tensor) and sample_weight.dim() == 2:
            return list(sample_weight.unbind(dim=1))
        return [sample_weight] * len(self.outputs)

    def record(self, total: torch.Tensor, count: int, part_losses: list, y_true: list, y_pred: list, weights) -> None:
        """One batch's loss (a mean over `count` samples), each output's loss and the metrics."""
        self.loss_tracker.update_mean(total, count)
        if self.several:
            for part, value in zip(self.outputs, part_losses):
                part.loss_tracker.update_mean(value.detach(), count)
        self.update_metrics(y_true, y_pred, weights)

    def trackers(self) -> list[Metric]:
        """Every running total behind the logs, in log order (summed over processes under torchrun)."""
        found: list[Metric] = [self.loss_tracker]
        for part in self.outputs:
            found += ([part.loss_tracker] if self.several else []) + list(part.metrics or [])
        return found

    def log_names(self) -> list[str]:
        names = ["loss"]
        for part in self.outputs:
            names += ([part.loss_tracker.name] if self.several else []) + [
                part.prefixed(m.name) for m in part.metrics or []
            ]
        return names

    def reset(self) -> None:
        for tracker in self.trackers():
            tracker.reset_state()

    def results(self) -> dict[str, float | list[float]]:
        """Current loss and metric values as Python floats (one device sync)."""
        return as_floats(dict(zip(self.log_names(), (tracker.result() for tracker in self.trackers()))))


class CompileMetrics(Metric):
    """compile's metrics as one entry of `model.metrics`, as Keras lists them: `update_state(y,
    y_pred)` updates every output's metrics, `result()` is a dict by log name."""

    def __init__(self, setup: CompiledSetup) -> None:
        super().__init__("compile_metrics")
        self.setup = setup

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        one = not self.setup.several
        y_true, y_pred = ([y_true], [y_pred]) if one else (list(y_true), list(y_pred))
        for part, target, prediction in zip(self.setup.outputs, y_true, y_pred):
            part.resolve_metrics(torch.as_tensor(target).dim(), api_shape(torch.as_tensor(prediction)))
        self.setup.update_metrics(y_true, y_pred, sample_weight)

    def result(self) -> dict[str, torch.Tensor]:
        return {part.prefixed(m.name): m.result() for part in self.setup.outputs for m in part.metrics or []}

    def reset_state(self) -> None:
        for part in self.setup.outputs:
            for metric in part.metrics or []:
                metric.reset_state()


def flatten_logs(logs: Mapping) -> dict:
    """Nested result dicts (CompileMetrics's) merged into one level, as Keras's fit logs them."""
    flat = {}
    for name, value in logs.items():
        if isinstance(value, Mapping):
            flat.update(flatten_logs(value))
        else:
            flat[name] = value
    return flat


def as_floats(logs: Mapping) -> dict[str, float | list[float]]:
    """Python numbers in one device sync; a metric with one value per class (F1Score with
    average=None) gives a list, as Keras logs an array."""
    logs = flatten_logs(logs)
    tensors = {name: value for name, value in logs.items() if isinstance(value, torch.Tensor)}
    if not tensors:
        return {name: float(value) if isinstance(value, (int, float)) else value for name, value in logs.items()}
    device = next(iter(tensors.values())).device
    flat = torch.cat([t.detach().to(device, torch.float32).reshape(-1) for t in tensors.values()]).tolist()
    result, start = {}, 0
    for name, value in logs.items():
        if name not in tensors:
            result[name] = float(value) if isinstance(value, (int, float)) else value
            continue
        end = start + value.numel()
        result[name] = flat[start] if value.dim() == 0 else flat[start:end]
        start = end
    return result
