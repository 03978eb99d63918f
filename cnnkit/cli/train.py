"""`cnnkit train`: a zoo model on a data set, into a run folder (see run_folder.py), resumable."""

from __future__ import annotations

import contextlib
import itertools
import math
import platform
import re
import shutil
from pathlib import Path

import torch

import cnnkit
from cnnkit import distributed, layers, optimizers
from cnnkit.cli import data as datasets
from cnnkit.cli.errors import CommandError
from cnnkit.cli.json_files import write_json
from cnnkit.cli.run_folder import finish, fit_into
from cnnkit.cli.run_lock import run_lock
from cnnkit.cli.zoo_commands import build
from cnnkit.optimizers import schedules

OPTIMIZERS = {
    "adam": optimizers.Adam,
    "sgd": optimizers.SGD,
    "rmsprop": optimizers.RMSprop,
    "adamw": optimizers.AdamW,
    "adagrad": optimizers.Adagrad,
}


def add_training_arguments(parser) -> None:
    """The settings `train` and `compare` share (everything but the model and the run folder)."""
    parser.add_argument("--data", required=True, help="mnist, fashion_mnist, cifar10, digits or folder:PATH")
    parser.add_argument("--data-dir", default=None, help="a folder holding the data set's files (default: search)")
    parser.add_argument("--image-size", default=None, help="resize every image to height,width (e.g. 32,32)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--optimizer", default="adam", choices=sorted(OPTIMIZERS))
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default: the optimizer's)")
    parser.add_argument("--momentum", type=float, default=0.0, help="SGD momentum")
    parser.add_argument("--lr-decay", default="none", choices=["none", "step", "exponential", "cosine"])
    parser.add_argument("--weight-decay", type=float, default=None)
    parser.add_argument("--dropout", type=float, default=None, help="dropout before the final classifier")
    parser.add_argument("--augment", action="store_true", help="random shifts, small rotations and zooms")
    parser.add_argument("--val-split", type=float, default=0.1)
    parser.add_argument(
        "--stream",
        default="auto",
        choices=["auto", "on", "off"],
        help="folder:PATH data: read the training images from disk each epoch, in background threads, "
        "instead of decoding them into memory once (auto: when they would take over 2 GiB)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1, ... (default: CUDA if present)")
    parser.add_argument(
        "--precision",
        default="float32",
        choices=["float32", "mixed_float16", "mixed_bfloat16"],
        help="mixed precision policy: float16 (with loss scaling) pays on GPUs; bfloat16 on GPUs and on CPUs "
        "with bfloat16 instructions (on others it is far slower than float32)",
    )


def add_arguments(parser) -> None:
    parser.add_argument("--model", required=True, help="a name from `cnnkit models`, e.g. lenet5")
    add_training_arguments(parser)
    parser.add_argument(
        "--out", default=None, help="the run folder (default: runs/MODEL-DATA, numbered 2, 3, ... when taken)"
    )
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")


def _check(args) -> None:
    if args.epochs <= 0 or args.batch_size <= 0:
        raise CommandError("--epochs and --batch-size must be positive")
    if not 0 <= args.val_split < 1:
        raise CommandError(f"--val-split must be in [0, 1); received {args.val_split}")
    if args.dropout is not None and not 0 <= args.dropout < 1:
        raise CommandError(f"--dropout must be in [0, 1); received {args.dropout}")
    if args.lr is not None and not 0 < args.lr < math.inf:  # NaN fails both
        raise CommandError(f"--lr must be a positive finite number; received {args.lr}")


def _learning_rate(args, steps: int):
    default = {"sgd": 0.01}.get(args.optimizer, 0.001)
    rate = args.lr or default
    total = steps * args.epochs
    if args.lr_decay == "step":  # x0.1 at half and three quarters of training
        return schedules.PiecewiseConstantDecay([total // 2, 3 * total // 4], [rate, rate / 10, rate / 100])
    if args.lr_decay == "exponential":  # to a tenth by the end
        return schedules.ExponentialDecay(rate, max(total, 1), 0.1)
    if args.lr_decay == "cosine":
        return schedules.CosineDecay(rate, max(total, 1))
    return rate


def _optimizer(args, steps: int):
    options = {"learning_rate": _learning_rate(args, steps), "weight_decay": args.weight_decay}
    if args.optimizer == "sgd":
        options["momentum"] = args.momentum
    elif args.momentum:
        raise CommandError("--momentum applies to --optimizer sgd")
    return OPTIMIZERS[args.optimizer](**options)


def _model(args, data: datasets.ImageData):
    model = build(args.model, data.input_shape, len(data.class_names))
    if args.dropout:
        head = model.head_layers
        model.replace_head([*head[:-1], layers.Dropout(args.dropout), head[-1]])
    if not args.augment:
        return model
    augment = [layers.RandomTranslation(0.1, 0.1), layers.RandomRotation(0.03), layers.RandomZoom(0.1)]
    return cnnkit.Sequential([layers.Input(shape=data.input_shape), *augment, model], name=f"{args.model}_augmented")


def default_folder(model: str, data: str) -> Path:
    return Path("runs") / re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{model}-{data}").strip("-")


def numbered_folder(base: Path, resume: bool) -> Path:
    """Without --out a run never replaces an earlier one: runs/lenet5-digits, then
    runs/lenet5-digits2, 3, ... (as Ultralytics numbers its runs). --resume takes the latest."""
    latest = None
    for folder in itertools.chain([base], (base.with_name(f"{base.name}{n}") for n in itertools.count(2))):
        if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
            return (latest or base) if resume else folder
        latest = folder


def settings(args, data: datasets.ImageData) -> dict:
    """config.json: every setting, the data's shape and class names, and the versions in use."""
    return {
        **{key: value for key, value in vars(args).items() if key != "handler"},
        "input_shape": list(data.input_shape),
        "class_names": data.class_names,
        "versions": {"cnnkit": cnnkit.__version__, "torch": torch.__version__, "python": platform.python_version()},
    }


def use_device(name: str | None) -> None:
    if name == "cuda" and distributed.local_device() is not None:
        name = str(distributed.local_device())  # under torchrun, this process's own GPU
    if name:
        try:
            cnnkit.backend.set_device(name)
        except ValueError as error:
            raise CommandError(str(error)) from None
    distributed.ensure_started(cnnkit.backend.get_device())  # under torchrun: join the others now


def train_one(args, data: datasets.ImageData | None = None) -> dict | None:
    """One run into args.out; its metrics, or None when Ctrl-C stopped it. The run folder is
    checked and locked before anything loads: one writer per folder."""
    _check(args)
    args.data = datasets.canonical_name(args.data)
    out = Path(args.out) if args.out else numbered_folder(default_folder(args.model, args.data), args.resume)
    with run_lock(out) if distributed.is_main() else contextlib.nullcontext():
        return _train_into(out, args, data)


def _train_into(out: Path, args, data: datasets.ImageData | None) -> dict | None:
    backup = out / "backup"
    if not args.resume:
        shutil.rmtree(backup, ignore_errors=True)
    elif not (backup / "backup.cnnkit").exists():
        raise CommandError(f"--resume: {out} holds no interrupted run to continue")
    use_device(args.device)
    cnnkit.utils.set_random_seed(args.seed)
    cnnkit.mixed_precision.set_global_policy(args.precision)
    data = data or datasets.load(args.data, args.data_dir, datasets.parse_size(args.image_size), args.stream)
    model = _model(args, data)
    train_count = int(len(data.x_train) * (1 - args.val_split))
    steps = -(-train_count // args.batch_size)
    model.compile(optimizer=_optimizer(args, steps), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    config = settings(args, data)
    main = distributed.is_main()  # under torchrun, process 0 alone writes the run folder
    if main:
        write_json(out / "config.json", config)
    if not fit_into(out, model, data, args, epochs=args.epochs, resume=args.resume):
        if (backup / "backup.cnnkit").exists():
            advice = f"the last finished epoch is saved in {out}; continue with the same command and --resume"
        else:
            advice = "no epoch had finished, so there is nothing to resume; run the same command again"
        print(f"\ninterrupted: {advice}")
        return None
    if not main:
        return {}
    shutil.rmtree(backup, ignore_errors=True)  # the run finished: nothing left to resume
    return finish(out, data, config, f"{args.model} on {data.name}")


def run(args) -> int:
    return 0 if train_one(args) is not None else 130
