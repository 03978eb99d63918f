"""`cnnkit evaluate`: test metrics, per-class precision/recall/F1 and the confusion matrix."""

from __future__ import annotations

from pathlib import Path

from cnnkit.cli import data as datasets
from cnnkit.cli.errors import CommandError
from cnnkit.cli.json_files import read_json, write_json
from cnnkit.cli.scoring import TestResults, score
from cnnkit.models import load_model


def locate_model(target: str) -> tuple[Path, dict]:
    """A run folder (its best model and config) or a model file (no config)."""
    path = Path(target)
    if path.is_dir():
        model_path = next((path / name for name in ("best.keras", "last.keras") if (path / name).exists()), None)
        if model_path is None:
            raise CommandError(f"{path} holds no best.keras or last.keras: is it a run folder of `cnnkit train`?")
        config_path = path / "config.json"
        return model_path, read_json(config_path) if config_path.exists() else {}
    if not path.is_file():
        raise CommandError(f"no run folder or model file at {target!r}")
    return path, {}


def open_model(path: Path):
    try:
        return load_model(path)
    except (ValueError, FileNotFoundError) as error:
        raise CommandError(str(error)) from None


def load_for(model, name: str, folder: str | None) -> datasets.ImageData:
    """The data set, resized and converted to what the model takes (a run on folder images or with
    --image-size has a shape of its own)."""
    data = datasets.load(name, folder)
    shape = tuple(model.input_shape[1:])
    if len(shape) != 3:
        raise CommandError(f"{model.name} does not take images (its input shape is {shape})")
    return datasets.fit_to_shape(data, shape)


def print_results(label: str, results: TestResults, data: datasets.ImageData) -> None:
    print(f"{label}: test accuracy {results.accuracy:.4f} on {len(data.y_test)} {data.name} images")
    width = max(5, *(len(c) for c in data.class_names))
    print(f"{'class':<{width}}  precision  recall     f1  support")
    for name, s in zip(data.class_names, results.scores):
        print(f"{name:<{width}}  {s['precision']:9.4f}  {s['recall']:6.4f}  {s['f1']:5.4f}  {s['support']:7d}")
    print("confusion matrix (rows: true class, columns: predicted):")
    for row in results.confusion:
        print(" ".join(f"{count:5d}" for count in row))


def run(args) -> int:
    model_path, config = locate_model(args.target)
    name = args.data or config.get("data")
    if name is None:
        raise CommandError("--data is needed when evaluating a model file outside a run folder")
    model = open_model(model_path)
    data = load_for(model, name, args.data_dir or config.get("data_dir"))
    if len(data.y_test) == 0:
        raise CommandError(f"{name} has no test images to evaluate on")
    results = score(model, data.x_test, data.y_test, len(data.class_names))
    print_results(str(model_path), results, data)
    if args.json:
        write_json(Path(args.json), results.as_dict(data.class_names))
    return 0
