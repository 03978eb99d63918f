"""`cnnkit transfer`: a trained run's network, given a new classifier, learns a new data set.

The new data is resized and converted to the network's input. With --freeze-backbone only the new
head learns for --epochs (the backbone's weights and batch-norm statistics stay as trained); then
--fine-tune-epochs unfreezes everything at a tenth of the learning rate. Without --freeze-backbone
the whole network learns from the transferred weights.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import cnnkit
from cnnkit import distributed, optimizers
from cnnkit.applications.classifier import Classifier
from cnnkit.cli import data as datasets
from cnnkit.cli.errors import CommandError
from cnnkit.cli.evaluate import load_for, locate_model, open_model
from cnnkit.cli.json_files import write_json
from cnnkit.cli.run_folder import finish, fit_into
from cnnkit.cli.train import default_folder, numbered_folder, settings, use_device


def add_arguments(parser) -> None:
    parser.add_argument("--from", dest="source", required=True, help="a run folder (or model file) to start from")
    parser.add_argument("--data", required=True, help="the new data set: mnist, ..., digits or folder:PATH")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--freeze-backbone", action="store_true", help="train only the new head for --epochs")
    parser.add_argument("--epochs", type=int, default=5, help="epochs of the first stage (default 5)")
    parser.add_argument("--fine-tune-epochs", type=int, default=0, help="then unfreeze everything for this many")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (fine-tuning uses a tenth)")
    parser.add_argument("--val-split", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", default=None, help="the run folder (default: runs/transfer-DATA)")


def _check(args) -> None:
    if args.epochs <= 0 or args.batch_size <= 0 or args.fine_tune_epochs < 0:
        raise CommandError("--epochs and --batch-size must be positive, --fine-tune-epochs not negative")
    if not 0 <= args.val_split < 1:
        raise CommandError(f"--val-split must be in [0, 1); received {args.val_split}")
    if args.lr <= 0:
        raise CommandError(f"--lr must be positive; received {args.lr}")


def classifier_in(model, path: Path) -> Classifier:
    """The zoo network inside a trained model (a run with --augment wraps it after its augmentation)."""
    if isinstance(model, Classifier):
        return model
    found = [layer for layer in getattr(model, "layers", []) if isinstance(layer, Classifier)]
    if not found:
        raise CommandError(f"{path}: its model has no backbone and head to transfer (train it with `cnnkit train`)")
    return found[0]


def _compile(model, learning_rate: float) -> None:
    model.compile(
        optimizer=optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )


def run(args) -> int:
    _check(args)
    args.data = datasets.canonical_name(args.data)
    model_path, _ = locate_model(args.source)
    out = Path(args.out) if args.out else numbered_folder(default_folder("transfer", args.data), False)
    shutil.rmtree(out / "backup", ignore_errors=True)  # a transfer always starts afresh
    use_device(args.device)
    cnnkit.utils.set_random_seed(args.seed)
    model = classifier_in(open_model(model_path), model_path)
    data = load_for(model, args.data, args.data_dir)  # resized and converted to the network's input
    for layer in model.layers:
        layer.trainable = True  # a run saved mid-transfer may hold frozen layers
    model.replace_classifier(len(data.class_names))
    backbone = model.backbone_layers
    for layer in backbone if args.freeze_backbone else []:
        layer.trainable = False
    _compile(model, args.lr)
    config = {**settings(args, data), "source_model_file": str(model_path.resolve()), "source_model": model.name}
    main = distributed.is_main()  # under torchrun, process 0 alone writes the run folder
    if main:
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / "config.json", config)
    interrupted = f"\ninterrupted: the last finished epoch is saved in {out}"
    if not fit_into(out, model, data, args, epochs=args.epochs):
        print(interrupted)
        return 130
    if args.fine_tune_epochs:
        for layer in backbone:
            layer.trainable = True
        _compile(model, args.lr / 10)
        total = args.epochs + args.fine_tune_epochs
        if not fit_into(out, model, data, args, epochs=total, initial_epoch=args.epochs):
            print(interrupted)
            return 130
    if main:
        shutil.rmtree(out / "backup", ignore_errors=True)
        finish(out, data, config, f"{model.name} transferred from {model_path} to {data.name}")
    return 0
