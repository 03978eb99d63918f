"""fit, evaluate and predict: one data path; each batch goes to the model's train_step,
test_step or predict_step (cnnkit/models/trainer.py), which a subclass may replace.

The built-in steps do what a hand-written loop does (forward, loss, backward, step) plus metric
updates that stay on the device. Python numbers are read from the device once per epoch, when
a progress bar redraws, or for callbacks that ask for per-batch logs.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import numpy as np
import torch

from cnnkit import distributed
from cnnkit.callbacks.callback_list import CallbackList
from cnnkit.callbacks.history import History
from cnnkit.common.checks import positive_int
from cnnkit.common.layout import runtime_to_api
from cnnkit.layers import activity
from cnnkit.training import progress, smoke_caps
from cnnkit.training.batch_sources import slice_samples
from cnnkit.training.data_entry import DataEntry, validation_batches
from cnnkit.training.inference_pieces import piece_size
from cnnkit.training.progress import Progbar
from cnnkit.training.step_protocol import MetricResults, NonFiniteLoss, overrides, pack_x_y_sample_weight, python_logs
from cnnkit.training.training_forward import TrainingForward


def _verbosity(verbose) -> int:
    if verbose not in (0, 1, 2, False, True, "auto"):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto'; received verbose={verbose!r}")
    if not progress.interactive_logging:  # keras.config.disable_interactive_logging()
        return 0
    return 1 if verbose == "auto" else int(verbose)


@contextlib.contextmanager
def running_mode(model, training: bool) -> Iterator[None]:
    """Run in train() or eval() mode, then restore whatever mode the model was in."""
    was_training = model.training
    model.train(training)
    try:
        yield
    finally:
        model.train(was_training)


def _sum_metrics_over_processes(model) -> None:
    """Under torchrun: every process's metric totals and counts summed, so the logs are global."""
    if not distributed.active() or model.training_setup is None:
        return
    trackers = model.training_setup.trackers()
    states = [tracker.state() for tracker in trackers]
    sums = iter(distributed.sum_over_processes([value for state in states for value in state]))
    for tracker, state in zip(trackers, states):
        tracker.set_state([next(sums) for _ in state])


def _epoch_logs(model, step_logs) -> dict:
    """The logs of a finished pass: the metrics' results, summed over processes under torchrun
    (the built-in steps' lazy results are read afresh after that sum)."""
    _sum_metrics_over_processes(model)
    if isinstance(step_logs, MetricResults) or step_logs is None:
        step_logs = model.get_metrics_result()
    return python_logs(step_logs)


def run_step(model, method, data):
    """One call of the model's train_step or test_step, collecting its activity penalties."""
    with activity.collecting():
        return method(data)


def run_evaluation(model, batches, verbose: int, callbacks: CallbackList | None) -> dict[str, float]:
    model.reset_metrics()
    wants_batches = callbacks is not None and callbacks.wants("on_test_batch_end")
    bar = Progbar(batches.steps, verbose)
    steps = seen = 0
    logs = None
    with running_mode(model, training=False), _inference_pieces(model):
        for step, (x, y, weights) in enumerate(batches.epoch()):
            if step == 0:
                model._inference_piece = _piece_size(model, x)
            logs = run_step(model, model.test_step, pack_x_y_sample_weight(x, y, weights))
            steps = step + 1
            bar.update(steps, lambda logs=logs: python_logs(logs))
            if wants_batches:
                callbacks.batch("on_test_batch_end", step, python_logs(logs))
            seen += _samples_in(x)
            if smoke_caps.enough_samples(seen, steps):
                break
    logs = _epoch_logs(model, logs)
    bar.finish(steps, logs)
    return logs


@contextlib.contextmanager
def _inference_pieces(model) -> Iterator[None]:
    """evaluate/predict set how many samples the built-in steps run at once; cleared after."""
    try:
        yield
    finally:
        model._inference_piece = None


def _piece_size(model, x) -> int | None:
    with torch.no_grad(), model._precision():
        return piece_size(model, x)


def fit(
    model,
    x=None,
    y=None,
    batch_size=None,
    epochs=1,
    verbose="auto",
    callbacks=None,
    validation_split=0.0,
    validation_data=None,
    shuffle=True,
    class_weight=None,
    sample_weight=None,
    initial_epoch=0,
    steps_per_epoch=None,
    validation_steps=None,
    validation_batch_size=None,
    validation_freq=1,
) -> History:
    where = "fit"
    model.require_compiled(where, need_loss=model.needs_compiled_loss("train_step"))
    verbose = _verbosity(verbose)
    positive_int(epochs, "epochs", where)
    positive_int(steps_per_epoch, "steps_per_epoch", where, allow_none=True)
    positive_int(validation_freq, "validation_freq", where)
    if not isinstance(initial_epoch, int) or not 0 <= initial_epoch:
        raise ValueError(f"{where}: initial_epoch must be an int >= 0; received {initial_epoch!r}")
    if not isinstance(validation_split, (int, float)) or not 0 <= validation_split < 1:
        raise ValueError(f"{where}: validation_split must be in [0, 1); received {validation_split!r}")
    if x is None:
        raise ValueError(f"{where}: x (the training inputs) is missing")
    epochs = smoke_caps.last_epoch(epochs, initial_epoch)
    x, y, sample_weight = (smoke_caps.first_samples(a) for a in (x, y, sample_weight))
    validation_data = smoke_caps.first_samples(validation_data)
    running_distributed = distributed.ensure_started(model.device)
    shard = "train" if running_distributed else None
    targets = "required" if model.needs_compiled_loss("train_step") else "optional"
    if running_distributed:
        verbose = verbose if distributed.is_main() else 0
        if DataEntry(model, where, "none").is_arrays(x):
            batch_size = distributed.local_batch_size(32 if batch_size is None else batch_size, where)

    if validation_split and validation_data is None:
        if not DataEntry(model, where, "none").is_arrays(x):
            raise ValueError(f"{where}: validation_split needs arrays; for a generator pass validation_data")
        count = DataEntry(model, where, "none").count(x, "x", getattr(model, "input_names", None) is not None)
        split_at = int(count * (1.0 - validation_split))  # Keras keeps the last samples for validation
        if split_at == 0 or split_at == count:
            raise ValueError(f"{where}: validation_split={validation_split} leaves no training or validation samples")
        tail, head = slice(split_at, None), slice(None, split_at)
        validation_data = tuple(slice_samples(a, tail) for a in (x, y, sample_weight))
        x, y, sample_weight = (slice_samples(a, head) for a in (x, y, sample_weight))

    train = DataEntry(model, where, targets).batches(
        x, y, sample_weight, class_weight, batch_size, shuffle, steps_per_epoch, shard=shard
    )
    validation = None
    if validation_data is not None:
        validation_batch_size = batch_size if validation_batch_size is None else validation_batch_size
        validation = validation_batches(model, validation_data, validation_batch_size, validation_steps)
    if not overrides(model, "train_step"):
        model.build_optimizer()  # a model's own train_step builds its optimizers in optimizer.apply

    history = History()
    steps = train.steps
    chosen = [c for c in callbacks or [] if distributed.is_main() or not getattr(c, "main_process_only", False)]
    callback_list = CallbackList([*chosen, history], model, {"verbose": verbose, "epochs": epochs, "steps": steps})
    model.stop_training = False
    setup = model.training_setup
    wants_begin = callback_list.wants("on_train_batch_begin")
    wants_end = callback_list.wants("on_train_batch_end")
    setup.check_finite = any(getattr(callback, "checks_each_loss", False) for callback in callback_list.callbacks)
    logs: dict[str, float] = {}
    model.resume_from_epoch = None
    callback_list.on_train_begin()
    if model.resume_from_epoch is not None:  # BackupAndRestore found an interrupted run
        initial_epoch = max(initial_epoch, model.resume_from_epoch)
    if initial_epoch:
        train.start_at_epoch(initial_epoch)
    # Under torchrun, DistributedDataParallel; made after any restore, since it starts every
    # process from process 0's weights.
    setup.distributed_forward = distributed.wrap_for_training(TrainingForward(model))
    try:
        with running_mode(model, training=True):
            for epoch in range(initial_epoch, epochs):
                model.reset_metrics()
                callback_list.on_epoch_begin(epoch)
                if verbose:
                    print(f"Epoch {epoch + 1}/{epochs}", flush=True)
                bar = Progbar(steps, verbose)
                done = seen = 0
                step_logs = None
                model.train()
                for step, (bx, by, bw) in enumerate(train.epoch()):
                    if wants_begin:
                        callback_list.batch("on_train_batch_begin", step)
                    bad_loss = _train_one_batch(model, pack_x_y_sample_weight(bx, by, bw))
                    if isinstance(bad_loss, float):
                        kept = "" if overrides(model, "train_step") else " with the weights from before this batch"
                        print(
                            f"Epoch {epoch + 1}, batch {step}: the loss is {bad_loss}; TerminateOnNaN stopped "
                            f"training{kept}.",
                            flush=True,
                        )
                        model.stop_training = True
                        break
                    step_logs = bad_loss
                    done = step + 1
                    bar.update(done, lambda logs=step_logs: python_logs(logs))
                    if wants_end:
                        callback_list.batch("on_train_batch_end", step, python_logs(step_logs))
                    if model.stop_training:
                        break
                    seen += _samples_in(bx)
                    if smoke_caps.enough_samples(seen, done):
                        # a capped smoke run: the finished line counts the batches it ran, as Keras's does
                        bar.target = steps = done
                        break
                logs = _epoch_logs(model, step_logs)
                if validation is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = run_evaluation(model, validation, 0, callback_list)
                    logs.update({f"val_{name}": value for name, value in val_logs.items()})
                bar.finish(done, logs)
                callback_list.on_epoch_end(epoch, logs)
                if model.stop_training or train.exhausted:
                    break
        callback_list.on_train_end(logs)
    finally:
        setup.distributed_forward = None
        setup.check_finite = False
    model.history = history
    return history


def _samples_in(batch) -> int:
    """How many samples a batch of inputs holds (the first input's, for several); counted only
    for a smoke run's cap, from the shape, so no device sync."""
    if smoke_caps.max_samples is None:
        return 0
    while isinstance(batch, (list, tuple, dict)) and batch:
        batch = next(iter(batch.values())) if isinstance(batch, dict) else batch[0]
    return int(batch.shape[0]) if hasattr(batch, "shape") and len(batch.shape) else 1


def _train_one_batch(model, data):
    """The model's train_step on one batch: its logs, or the loss as a float when TerminateOnNaN
    stops the run (the built-in step stops before the update, a model's own step after it)."""
    try:
        logs = run_step(model, model.train_step, data)
    except NonFiniteLoss as stop:
        return stop.value
    if model.training_setup.check_finite and overrides(model, "train_step") and "loss" in logs:
        loss = float(python_logs({"loss": logs["loss"]})["loss"])
        if not math.isfinite(loss):
            return loss
    return logs


def evaluate(
    model,
    x=None,
    y=None,
    batch_size=None,
    verbose="auto",
    sample_weight=None,
    steps=None,
    callbacks=None,
    return_dict=False,
):
    where = "evaluate"
    model.require_compiled(where, need_loss=model.needs_compiled_loss("test_step"))
    verbose = _verbosity(verbose)
    positive_int(steps, "steps", where, allow_none=True)
    if x is None:
        raise ValueError(f"{where}: x (the inputs) is missing")
    x, y, sample_weight = (smoke_caps.first_samples(a) for a in (x, y, sample_weight))
    shard = "eval" if distributed.ensure_started(model.device) else None
    verbose = verbose if distributed.is_main() else 0
    targets = "required" if model.needs_compiled_loss("test_step") else "optional"
    batches = DataEntry(model, where, targets).batches(x, y, sample_weight, None, batch_size, False, steps, shard=shard)
    params = {"verbose": verbose, "steps": batches.steps}
    callback_list = CallbackList(list(callbacks or []), model, params)
    callback_list.on_test_begin()
    logs = run_evaluation(model, batches, verbose, callback_list)
    callback_list.on_test_end(logs)
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


@torch.no_grad()
def predict(model, x, batch_size=None, verbose="auto", steps=None, callbacks=None) -> np.ndarray:
    where = "predict"
    verbose = _verbosity(verbose)
    positive_int(steps, "steps", where, allow_none=True)
    batches = DataEntry(model, where, "none").batches(x, batch_size=batch_size, steps=steps)
    callback_list = CallbackList(list(callbacks or []), model, {"verbose": verbose})
    callback_list.on_predict_begin()
    bar = Progbar(batches.steps, verbose)
    outputs = []
    done = 0
    with running_mode(model, training=False), _inference_pieces(model):
        for step, (bx, _, _) in enumerate(batches.epoch()):
            if step == 0:
                model._inference_piece = _piece_size(model, bx)
            outputs.append(model.predict_step((bx,)))
            done = step + 1
            bar.update(done, dict)
            if callback_list.wants("on_predict_batch_end"):
                callback_list.batch("on_predict_batch_end", step, {"outputs": outputs[-1]})
    bar.finish(done, {})
    callback_list.on_predict_end()
    # One transfer to the host at the end, not one per batch.
    if outputs and isinstance(outputs[0], (list, tuple)):  # several outputs: one array each
        return [runtime_to_api(torch.cat(parts)).cpu().numpy() for parts in zip(*outputs)]
    return runtime_to_api(torch.cat(outputs)).cpu().numpy()
