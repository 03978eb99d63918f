"""The training step as methods of the model, with Keras 3's torch-backend signatures.

`fit`, `evaluate` and `predict` call `train_step(data)`, `test_step(data)` and
`predict_step(data)` once per batch; a subclass overrides them to train its own way (a GAN, a
VAE, contrastive learning), with `compute_loss`, `compute_metrics` and `metrics` as the building
blocks, as in keras.io's "Customizing what happens in fit() with PyTorch".

`data` is what the batch source gives: `(x, y)`, `(x, y, sample_weight)` or `(x,)`, as tensors on
the model's device with images NCHW (the layout the model's layers take).

The built-in steps do what a hand-written torch loop does, plus what it would take to match
Keras: the loss on logits where it can absorb the output activation, mixed precision, the
weights' constraints after each update, and metric updates that stay on the device.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

import torch

from cnnkit import mixed_precision, session
from cnnkit.layers import activity
from cnnkit.metrics.metric import Metric, class_dim
from cnnkit.training.batch_sources import batch_length
from cnnkit.training.compiled_setup import CompiledSetup, CompileMetrics
from cnnkit.training.inference_gradients import run_inference
from cnnkit.training.inference_pieces import in_pieces
from cnnkit.training.step_protocol import (
    MetricResults,
    NonFiniteLoss,
    builtin_step,
    overrides,
    unpack_x_y_sample_weight,
)
from cnnkit.training.training_forward import TrainingForward


class Trainer:
    """Keras's Trainer methods, mixed into Model. `training_setup` is what compile() recorded."""

    training_setup: CompiledSetup | None
    _inference_piece: int | None = None  # evaluate/predict: samples per forward (training/inference_pieces.py)

    # ---- the metrics -----------------------------------------------------------------------
    @property
    def metrics(self) -> list[Metric]:
        """The running metrics fit resets each epoch and logs: the loss tracker, each output's
        loss tracker (several outputs), compile's metrics, then any Metric the model holds as an
        attribute, as Keras lists them."""
        found: list[Metric] = []
        setup = self.training_setup
        if setup is not None:
            found.append(setup.loss_tracker)
            if setup.several:
                found += [part.loss_tracker for part in setup.outputs]
            found.append(CompileMetrics(setup))
        found += [value for value in vars(self).values() if isinstance(value, Metric)]
        return found + [metric for _, metric in getattr(self, "graph_metrics", [])]

    @property
    def metrics_names(self) -> list[str]:
        """The names fit logs (Keras 2's list: `["loss", "accuracy"]`)."""
        if type(self).metrics is not Trainer.metrics or self.training_setup is None:
            return [metric.name for metric in self.metrics]
        extra = [value.name for value in vars(self).values() if isinstance(value, Metric)]
        return self.training_setup.log_names() + extra + [m.name for _, m in getattr(self, "graph_metrics", [])]

    def reset_metrics(self) -> None:
        if self.training_setup is not None:
            self.training_setup.reset()
        for metric in self.metrics:
            metric.reset_state()

    def _metric_result_tensors(self) -> dict:
        if type(self).metrics is not Trainer.metrics or self.training_setup is None:
            return {metric.name: metric.result() for metric in self.metrics}
        setup = self.training_setup  # compile's order: loss, then each output's loss and metrics
        results = dict(zip(setup.log_names(), (tracker.result() for tracker in setup.trackers())))
        for value in vars(self).values():
            if isinstance(value, Metric):
                results[value.name] = value.result()
        for _, metric in getattr(self, "graph_metrics", []):  # model.add_metric(tensor, name)
            results[metric.name] = metric.result()
        return results

    def get_metrics_result(self) -> Mapping:
        """Every metric's current result by name (read lazily; see MetricResults)."""
        return MetricResults(self)

    # ---- the loss ----------------------------------------------------------------------------
    def needs_compiled_loss(self, step: str) -> bool:
        """Whether compile must have been given a loss (and fit labels) for `step` ("train_step" or
        "test_step"): not when the model's own step or compute_loss makes the loss, nor when it
        trains on losses it added to its graph (`model.add_loss(tensor)`)."""
        return not (overrides(self, step) or overrides(self, "compute_loss") or getattr(self, "graph_losses", None))

    @builtin_step
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training: bool = True) -> torch.Tensor:
        """compile's loss (the loss_weights-weighted sum over outputs) plus the weights'
        regularization penalties and the step's activity penalties, as Keras's compute_loss."""
        setup = self.training_setup
        value = None
        if setup is not None and setup.has_loss:
            several = setup.several
            y_true, y_pred = (list(y), list(y_pred)) if several else ([y], [y_pred])
            value, _ = setup.total_loss(y_true, y_pred, sample_weight)
        return self._with_penalties(value)

    def _with_penalties(self, value: torch.Tensor | None) -> torch.Tensor:
        penalties = list(activity.current())
        if self.training_setup is None or self.training_setup.regularized:
            penalties += self.losses
        if penalties:
            total = torch.stack([p.float() for p in penalties]).sum()
            return total if value is None else value + total
        return value if value is not None else torch.zeros((), device=self.device)

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> Mapping:
        """Update compile's metrics with this batch and return every metric's result."""
        for metric in self.metrics:
            if isinstance(metric, CompileMetrics):
                metric.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    # ---- the steps ---------------------------------------------------------------------------
    @builtin_step
    def train_step(self, data) -> Mapping:
        """One update on one batch; returns the logs (Keras's train_step)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        setup = self.training_setup
        with trainable_as_compiled(setup):  # nothing, unless under Keras 2's defaults
            with self._precision():
                value, parts, y_pred = self._step_loss(x, y, sample_weight, piece=None)
            if setup.check_finite and not bool(torch.isfinite(value)):
                raise NonFiniteLoss(float(value.detach()))
            optimizer = setup.optimizer
            optimizer.zero_grad()
            if setup.precision.scales_loss:  # float16: scale the loss so small gradients stay representable
                if setup.grad_scaler is None:
                    setup.grad_scaler = torch.amp.GradScaler(self._weights_device().type)
                setup.grad_scaler.scale(value).backward()
                optimizer.step(setup.grad_scaler)
            else:
                value.backward()
                optimizer.step()
        if setup.constrained:
            _apply_constraints(setup.constrained)
        setup.record(value.detach().float(), batch_length(x), parts, _listed(setup, y), y_pred, sample_weight)
        return self.get_metrics_result()

    @builtin_step
    @torch.no_grad()
    def test_step(self, data) -> Mapping:
        """The loss and metrics of one batch, in inference mode; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        setup = self.training_setup
        with self._precision():
            value, parts, y_pred = self._step_loss(x, y, sample_weight, self._inference_piece)
        setup.record(value.float(), batch_length(x), parts, _listed(setup, y), y_pred, sample_weight)
        return self.get_metrics_result()

    @builtin_step
    @torch.no_grad()
    def predict_step(self, data):
        """The model's outputs for one batch (float32, images NCHW)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        with self._precision():
            return _as_float32(self._forward(x, logits=False, piece=self._inference_piece))

    # ---- what the built-in steps share -------------------------------------------------------
    def _precision(self):
        """The mixed precision policy's autocast; nothing (and no device lookup) for float32."""
        setup = self.training_setup
        policy = setup.precision if setup is not None else mixed_precision.global_policy()
        return policy.autocast(self._weights_device()) if policy.mixed else contextlib.nullcontext()

    def _weights_device(self) -> torch.device:
        return next((p.device for p in self.parameters()), session.get_device())

    def _step_loss(self, x, y, sample_weight, piece):
        """(loss with penalties, each output's loss, predictions) for the built-in steps. A model
        whose own compute_loss replaces compile's (knowledge distillation), or one trained by the
        losses it added itself (a variational autoencoder), goes through compute_loss."""
        setup = self.training_setup
        if setup.has_loss and not overrides(self, "compute_loss"):
            value, parts, y_pred = self._loss_and_predictions(x, y, sample_weight, piece)
            return self._with_penalties(value), parts, y_pred
        predictions = self._forward(x, logits=False, piece=piece)
        value = self.compute_loss(x, y, predictions, sample_weight)
        predictions = list(predictions) if setup.several else [predictions]
        return value, [value], [_as_float32(p.detach()) for p in predictions]

    def _loss_and_predictions(self, x, y, sample_weight, piece):
        """(loss to minimise, each output's loss, each output's predictions for the metrics).
        Logits feed the loss when it can absorb the output activation."""
        setup = self.training_setup
        part = setup.outputs[0]
        activation = None if setup.several else self.output_activation
        if activation is not None and part.loss.fuses == activation:
            loss = part.loss
            logits = self._forward(x, logits=True, piece=piece)
            if sample_weight is None and hasattr(loss, "fast_mean_on_logits") and loss.reduction != "none":
                value = loss.fast_mean_on_logits(y, logits)
            else:
                value = loss.reduce(loss.call_on_logits(y, logits), sample_weight)
            logits = logits.detach()
            if setup.metrics_use_probabilities:
                logits = torch.softmax(logits, class_dim(logits)) if activation == "softmax" else torch.sigmoid(logits)
            return value, [value], [_as_float32(logits)]
        predictions = self._forward(x, logits=False, piece=piece)
        predictions = list(predictions) if setup.several else [predictions]
        value, parts = setup.total_loss(_listed(setup, y), predictions, sample_weight)
        return value, parts, [_as_float32(p.detach()) for p in predictions]

    def _forward(self, x, logits: bool, piece: int | None = None):
        """The training forward goes through DistributedDataParallel under torchrun (so it
        reduces the gradients); evaluation and single-process runs call the model directly,
        evaluation `piece` samples at a time when that is set (see training/inference_pieces.py)."""
        setup = self.training_setup
        if setup is not None and setup.distributed_forward is not None and self.training and torch.is_grad_enabled():
            return setup.distributed_forward(x, logits=logits)
        if setup is not None and setup.jit_compile:
            if setup.compiled_forward is None:
                setup.compiled_forward = torch.compile(TrainingForward(self))
            return in_pieces(lambda part: setup.compiled_forward(part, logits=logits), x, piece)
        return run_inference(self, lambda: in_pieces(self.forward_logits if logits else self, x, piece))


def trainable_as_compiled(setup: CompiledSetup):
    """Under Keras 2's defaults, the weights compile found trainable get gradients in this step even
    if `trainable` was switched off since (Keras 2's GAN recipe); otherwise nothing changes, and the
    step pays for no generator."""
    if not setup.trainable_at_compile:
        return contextlib.nullcontext()
    return _unfrozen([p for p in setup.trainable_at_compile if not p.requires_grad])


@contextlib.contextmanager
def _unfrozen(frozen: list):
    for weight in frozen:
        weight.requires_grad_(True)
    try:
        yield
    finally:
        for weight in frozen:
            weight.requires_grad_(False)


def _listed(setup: CompiledSetup, y) -> list:
    """Labels as a list with one entry per output."""
    return list(y) if setup.several else [y]


@torch.no_grad()
def _apply_constraints(constrained: list) -> None:
    """Each constrained weight replaced, in place, by its constraint applied to its Keras-layout
    view (see cnnkit/constraints.py): device work only, no host sync."""
    for weight, keras_order, constraint in constrained:
        view = weight if keras_order is None else weight.permute(keras_order)
        view.copy_(constraint(view))


def _as_float32(predictions):
    """Predictions made under a mixed precision policy, back in float32 for metrics and users."""
    if isinstance(predictions, (list, tuple)):
        return [_as_float32(p) for p in predictions]
    return predictions.float() if predictions.dtype in (torch.float16, torch.bfloat16) else predictions
