"""`cnnkit train`: a zoo model on a data set, into a run folder (see run_folder.py), resumable."""

from __future__ import annotations

import contextlib
import itertools
import math
import re
import shutil
from pathlib import Path

import torch

import cnnkit
from cnnkit import distributed, layers, optimizers
from cnnkit.cli import data as datasets
from cnnkit.cli import run_settings
from cnnkit.cli.checks import check_data, check_model, device_name, warn_if_too_small
from cnnkit.cli.errors import CommandError
from cnnkit.cli.json_files import read_json, write_json
from cnnkit.cli.run_folder import finish, fit_into, print_header
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
    parser.add_argument(
        "--data",
        help="mnist, fashion_mnist, cifar10, digits, or folder:PATH (one sub-folder of images per class, "
        "or train/ and val/ or test/ sub-folders that each hold them)",
    )
    parser.add_argument("--data-dir", default=None, help="a folder holding the data set's files (default: search)")
    parser.add_argument("--image-size", default=None, help="resize every image to height,width (e.g. 32,32)")
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training images")
    parser.add_argument("--batch-size", type=int, default=64, help="images per training step")
    parser.add_argument("--optimizer", default="adam", choices=sorted(OPTIMIZERS), help="the optimizer")
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default: the optimizer's)")
    parser.add_argument("--momentum", type=float, default=0.0, help="SGD momentum")
    parser.add_argument(
        "--lr-decay",
        default="none",
        choices=["none", "step", "exponential", "cosine"],
        help="step: x0.1 at half and three quarters of training; exponential: to a tenth; cosine: to zero",
    )
    parser.add_argument("--weight-decay", type=float, default=None, help="decoupled weight decay (as Keras 3)")
    parser.add_argument("--dropout", type=float, default=None, help="dropout before the final classifier")
    parser.add_argument("--augment", action="store_true", help="random shifts, small rotations and zooms")
    parser.add_argument("--val-split", type=float, default=0.1, help="the share of training images held out")
    parser.add_argument("--patience", type=int, default=None, help="stop after this many epochs without improvement")
    parser.add_argument(
        "--weights", default=None, help="start from these weights: imagenet (for the ImageNet-size networks) or a file"
    )
    parser.add_argument("--tensorboard", action="store_true", help="also log to RUN/tensorboard for TensorBoard")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default: torch's choice)")
    parser.add_argument(
        "--stream",
        default="auto",
        choices=["auto", "on", "off"],
        help="folder:PATH data: read the training images from disk each epoch, in background threads, "
        "instead of decoding them into memory once (auto: when they would take over 2 GiB)",
    )
    parser.add_argument("--seed", type=int, default=0, help="for the weights, the shuffling and augmentation")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (or 1), gpu, mps (default: CUDA if present)")
    parser.add_argument(
        "--precision",
        default="float32",
        choices=["float32", "mixed_float16", "mixed_bfloat16"],
        help="mixed precision policy: float16 (with loss scaling) pays on GPUs; bfloat16 on GPUs and on CPUs "
        "with bfloat16 instructions (on others it is far slower than float32)",
    )


def add_arguments(parser) -> None:
    parser.add_argument("--model", help="a name from `cnnkit models`, e.g. lenet5")
    add_training_arguments(parser)
    parser.add_argument("--config", default=None, help="a JSON file of settings, e.g. an earlier run's config.json")
    parser.add_argument(
        "--out", default=None, help="the run folder (default: runs/MODEL-DATA); a taken one becomes NAME-2, NAME-3, ..."
    )
    parser.add_argument("--exist-ok", action="store_true", help="write into --out even if it holds a run")
    parser.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=False,
        metavar="RUN",
        help="continue an interrupted run (RUN, or --out, or the latest runs/MODEL-DATA) with its saved settings",
    )


def _check(args) -> None:
    for option in ("model", "data"):
        if not getattr(args, option, None):
            raise CommandError(f"--{option} is required (or --resume RUN, or --config FILE, to take the settings)")
    check_model(args.model)
    check_data(args.data, sorted(datasets.LOADERS), datasets.FOLDER_PREFIX)
    args.device = device_name(args.device)
    if args.threads is not None and args.threads <= 0:
        raise CommandError(f"--threads must be positive; received {args.threads}")
    if args.patience is not None and args.patience <= 0:
        raise CommandError(f"--patience must be positive; received {args.patience}")
    if args.epochs <= 0 or args.batch_size <= 0:
        raise CommandError("--epochs and --batch-size must be positive")
    if not 0 <= args.val_split < 1:
        raise CommandError(f"--val-split must be in [0, 1); received {args.val_split}")
    if args.dropout is not None and not 0 <= args.dropout < 1:
        raise CommandError(f"--dropout must be in [0, 1); received {args.dropout}")
    if args.lr is not None and not 0 < args.lr < math.inf:  # NaN fails both
        raise CommandError(f"--lr must be a positive finite number; received {args.lr}")


def initial_rate(args) -> float:
    """--lr, or the optimizer's own default (Keras's: 0.01 for SGD, 0.001 for the others)."""
    return args.lr or {"sgd": 0.01}.get(args.optimizer, 0.001)


def _learning_rate(args, steps: int):
    rate = initial_rate(args)
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
    model = build(args.model, data.input_shape, len(data.class_names), weights=getattr(args, "weights", None))
    if args.dropout:
        head = model.head_layers
        model.replace_head([*head[:-1], layers.Dropout(args.dropout), head[-1]])
    if not args.augment:
        return model
    augment = [layers.RandomTranslation(0.1, 0.1), layers.RandomRotation(0.03), layers.RandomZoom(0.1)]
    return cnnkit.Sequential([layers.Input(shape=data.input_shape), *augment, model], name=f"{args.model}_augmented")


def default_folder(model: str, data: str) -> Path:
    name = Path(data[len(datasets.FOLDER_PREFIX) :]).name if data.startswith(datasets.FOLDER_PREFIX) else data
    return Path("runs") / re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{model}-{name}").strip("-")


def _taken(folder: Path) -> bool:
    return folder.exists() and not (folder.is_dir() and not any(folder.iterdir()))


def numbered_folder(base: Path, resume: bool) -> Path:
    """A run never replaces an earlier one: runs/lenet5-digits, then runs/lenet5-digits-2, -3, ...
    (as Ultralytics and Lightning number theirs). With `resume`, the latest of them."""
    latest = None
    for folder in itertools.chain([base], (base.with_name(f"{base.name}-{n}") for n in itertools.count(2))):
        if not _taken(folder):
            return (latest or base) if resume else folder
        latest = folder


def run_folder(args) -> Path:
    """Where this run goes: --resume RUN, else --out, else runs/MODEL-DATA; numbered unless it
    continues a run (--resume) or may reuse the folder (--exist-ok)."""
    if isinstance(args.resume, str):
        if args.out and Path(args.out) != Path(args.resume):
            raise CommandError(f"--resume {args.resume} and --out {args.out} name different folders; give one")
        return Path(args.resume)
    if args.resume:
        if args.out:
            return Path(args.out)
        if not (args.model and args.data):
            raise CommandError("--resume needs the run folder (--resume RUN), or --model and --data to find it")
        return numbered_folder(default_folder(args.model, datasets.canonical_name(args.data)), True)
    base = Path(args.out) if args.out else default_folder(args.model, args.data)
    if base.exists() and not base.is_dir():  # said by the run lock, which checks every folder
        return base
    return base if getattr(args, "exist_ok", False) else numbered_folder(base, False)


def settings(args, data: datasets.ImageData) -> dict:
    """config.json: every setting, the data's shape and class names, and where the run came from."""
    hidden = {"handler", "given", "command_line", "config"}
    return {
        **{key: value for key, value in vars(args).items() if key not in hidden},
        "input_shape": list(data.input_shape),
        "class_names": data.class_names,
        **run_settings.record(getattr(args, "command_line", None)),
        "hardware": run_settings.hardware(cnnkit.backend.get_device()),
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


def resolve(args) -> Path:
    """The run's settings (command line, --config file, a resumed run's own) checked, and its folder."""
    args.given = getattr(args, "given", set(vars(args)))  # called without the parser: all given
    run_settings.apply_config_file(args)
    if args.data:  # as config.json holds it, so a resumed run compares like with like
        args.data = datasets.canonical_name(args.data)
    out = run_folder(args)
    if args.resume:
        run_settings.apply_saved_run(args, out)
    _check(args)
    args.data = datasets.canonical_name(args.data)
    return out


def train_one(args, data: datasets.ImageData | None = None) -> dict | None:
    """One run into its folder; its metrics, or None when Ctrl-C stopped it. Every argument is
    checked, and the folder locked, before any data loads: one writer per folder."""
    out = resolve(args)
    with run_lock(out) if distributed.is_main() else contextlib.nullcontext():
        return _train_into(out, args, data)


def _train_into(out: Path, args, data: datasets.ImageData | None) -> dict | None:
    backup = out / "backup"
    if not args.resume:
        shutil.rmtree(backup, ignore_errors=True)
    elif not (backup / "backup.cnnkit").exists():
        raise CommandError(f"--resume: {out} holds no interrupted run to continue")
    if args.threads:
        torch.set_num_threads(args.threads)
    use_device(args.device)
    cnnkit.utils.set_random_seed(args.seed)
    cnnkit.mixed_precision.set_global_policy(args.precision)
    data = data or datasets.load(args.data, args.data_dir, datasets.parse_size(args.image_size), args.stream)
    if distributed.is_main():
        warn_if_too_small(args.model, data.input_shape, len(data.class_names))
    model = _model(args, data)
    train_count, _ = data.split_counts(args.val_split)
    steps = -(-train_count // args.batch_size)
    model.compile(optimizer=_optimizer(args, steps), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    config = {**settings(args, data), "out": str(out)}
    main = distributed.is_main()  # under torchrun, process 0 alone writes the run folder
    if main:
        if args.resume and (out / "config.json").exists():  # the first start's record stays
            first = read_json(out / "config.json")
            config = {
                **config,
                "started": first.get("started"),
                "resumed": [*first.get("resumed", []), config["started"]],
            }
        write_json(out / "config.json", config)
        print_header(out, args, data, model, steps, initial_rate(args), config["hardware"])
    if not fit_into(out, model, data, args, epochs=args.epochs, resume=bool(args.resume), keep_backup=True):
        if (backup / "backup.cnnkit").exists():
            advice = f"the last finished epoch is saved in {out}; continue with: cnnkit train --resume {out}"
        else:
            advice = "no epoch had finished, so there is nothing to resume; run the same command again"
        print(f"\ninterrupted: {advice}")
        return None
    if not main:
        return {}
    try:
        metrics = finish(out, data, config, f"{args.model} on {data.name}")
    except KeyboardInterrupt:  # training is done and backed up: a resume goes straight to scoring
        print(f"\ninterrupted while scoring; training is saved: cnnkit train --resume {out} scores it")
        return None
    shutil.rmtree(backup, ignore_errors=True)  # the run is complete: nothing left to resume
    return metrics


def run(args) -> int:
    return 0 if train_one(args) is not None else 130
