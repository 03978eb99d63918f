"""What `compile` records: the optimizer, the loss and the metrics, and the running totals."""

from __future__ import annotations

import torch

from cnnkit import mixed_precision
from cnnkit.training import losses, metrics, optimizers
from cnnkit.training.metrics import Mean, Metric


class TrainingSetup:
    """One output's loss and metrics (and the optimizer), with their running totals."""

    def __init__(self, optimizer="rmsprop", loss=None, metric_ids=None) -> None:
        self.optimizer = optimizers.get(optimizer)
        self.loss = None if loss is None else losses.get(loss)
        if metric_ids is not None and not isinstance(metric_ids, (list, tuple)):
            raise TypeError(f"compile: metrics must be a list; received {metric_ids!r}.")
        self.metric_ids = list(metric_ids or [])
        metrics.check_names(self.metric_ids)
        self.metrics: list[Metric] | None = None  # resolved when the labels are first seen
        self.loss_tracker = Mean("loss")
        self.regularized = False  # any weight regularizer in the model? set by Model.require_compiled
        self.constrained: list = []  # (weight, Keras order, constraint), also set by require_compiled
        self.precision = mixed_precision.global_policy()  # the policy in force at compile()
        self.grad_scaler = None  # made on the first float16 step
        self.jit_compile = False  # compile(jit_compile=True): forward passes through torch.compile
        self.compiled_forward = None

    def require_loss(self, where: str) -> losses.Loss:
        if self.loss is None:
            raise ValueError(f"{where}: the model was compiled without a loss; pass loss= to compile().")
        return self.loss

    def resolve_metrics(self, label_rank: int, output_shape: tuple) -> None:
        if self.metrics is None:
            loss_name = self.loss.name if self.loss is not None else ""
            self.metrics = [metrics.get(i, loss_name, label_rank, output_shape) for i in self.metric_ids]

    @property
    def metrics_use_probabilities(self) -> bool:
        return any(metric.uses_probabilities for metric in self.metrics or [])

    def reset(self) -> None:
        self.loss_tracker.reset_state()
        for metric in self.metrics or []:
            metric.reset_state()

    def update(self, loss_value: torch.Tensor, count: int, y_true, y_pred, sample_weight) -> None:
        self.loss_tracker.update_mean(loss_value, count)
        for metric in self.metrics or []:
            metric.update_state(y_true, y_pred, sample_weight)

    def record(self, total: torch.Tensor, count: int, part_losses, y_true, y_pred, sample_weight) -> None:
        """The same call as MultiOutputSetup's; one output has no separate part losses."""
        self.update(total, count, y_true, y_pred, sample_weight)

    def log_names(self) -> list[str]:
        return ["loss"] + [metric.name for metric in self.metrics or []]

    def trackers(self) -> list:
        """Every running mean behind the logs (summed over processes under torchrun)."""
        return [self.loss_tracker, *(self.metrics or [])]

    def result_tensors(self) -> list[torch.Tensor]:
        return [self.loss_tracker.result()] + [metric.result() for metric in self.metrics or []]

    def results(self) -> dict[str, float]:
        """Current loss and metric values as Python floats (one device sync)."""
        return _as_floats(self.log_names(), self.result_tensors())


def _as_floats(names: list[str], values: list) -> dict[str, float | list[float]]:
    """Python numbers in one device sync; a metric with one value per class (F1Score with
    average=None) gives a list, as Keras logs an array."""
    device = values[0].device
    tensors = [torch.as_tensor(v, dtype=torch.float32).to(device) for v in values]
    flat = torch.cat([t.reshape(-1) for t in tensors]).tolist()
    logs, start = {}, 0
    for name, tensor in zip(names, tensors):
        end = start + tensor.numel()
        logs[name] = flat[start] if tensor.dim() == 0 else flat[start:end]
        start = end
    return logs


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


class MultiOutputSetup:
    """compile for a model with several outputs: a TrainingSetup per output, and the total loss
    (the loss_weights-weighted sum) that training minimises. Logs are Keras's: `loss`, then
    `<output>_loss` and `<output>_<metric>` for each output."""

    def __init__(self, optimizer, loss, metric_ids, loss_weights, output_names: list[str]) -> None:
        self.optimizer = optimizers.get(optimizer)
        self.output_names = output_names
        losses_ = per_output(loss, output_names, "loss")
        metric_lists = per_output(metric_ids, output_names, "metrics", default=[])
        weights = per_output(loss_weights, output_names, "loss_weights", default=1.0)
        self.loss_weights = [float(w) for w in weights]
        metric_lists = [
            [m] if isinstance(m, str) or not isinstance(m, (list, tuple)) else list(m) for m in metric_lists
        ]
        self.parts = [TrainingSetup(self.optimizer, lo, m) for lo, m in zip(losses_, metric_lists)]
        self.loss_tracker = Mean("loss")
        self.regularized = False  # any weight regularizer in the model? set by Model.require_compiled
        self.constrained: list = []  # (weight, Keras order, constraint), also set by require_compiled
        self.precision = mixed_precision.global_policy()  # the policy in force at compile()
        self.grad_scaler = None  # made on the first float16 step
        self.jit_compile = False  # compile(jit_compile=True): forward passes through torch.compile
        self.compiled_forward = None

    @property
    def loss(self) -> list:
        return [part.loss for part in self.parts]

    def require_loss(self, where: str) -> list:
        missing = [name for name, part in zip(self.output_names, self.parts) if part.loss is None]
        if missing:
            raise ValueError(f"{where}: compile() gave no loss for output(s) {missing}; pass loss= for every output")
        return self.loss

    def reset(self) -> None:
        self.loss_tracker.reset_state()
        for part in self.parts:
            part.reset()

    def record(self, total: torch.Tensor, count: int, part_losses, y_true, y_pred, sample_weight) -> None:
        self.loss_tracker.update_mean(total, count)
        for part, value, target, prediction in zip(self.parts, part_losses, y_true, y_pred):
            part.update(value, count, target, prediction, sample_weight)

    def trackers(self) -> list:
        return [self.loss_tracker, *(tracker for part in self.parts for tracker in part.trackers())]

    def log_names(self) -> list[str]:
        names = ["loss"]
        for output, part in zip(self.output_names, self.parts):
            names += [f"{output}_{name}" for name in part.log_names()]
        return names

    def results(self) -> dict[str, float]:
        values = [self.loss_tracker.result()]
        for part in self.parts:
            values += part.result_tensors()
        return _as_floats(self.log_names(), values)
