"""`cnnkit evaluate`: test metrics, per-class precision/recall/F1 and the confusion matrix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from cnnkit.cli import data as datasets
from cnnkit.cli.errors import CommandError
from cnnkit.models import load_model


def locate_model(target: str) -> tuple[Path, dict]:
    """A run folder (its best model and config) or a model file (no config)."""
    path = Path(target)
    if path.is_dir():
        model_path = next((path / name for name in ("best.keras", "last.keras") if (path / name).exists()), None)
        if model_path is None:
            raise CommandError(f"{path} holds no best.keras or last.keras: is it a run folder of `cnnkit train`?")
        config_path = path / "config.json"
        return model_path, json.loads(config_path.read_text()) if config_path.exists() else {}
    if not path.is_file():
        raise CommandError(f"no run folder or model file at {target!r}")
    return path, {}


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def per_class_scores(matrix: np.ndarray) -> list[dict]:
    scores = []
    for k in range(len(matrix)):
        hits, predicted, actual = matrix[k, k], matrix[:, k].sum(), matrix[k].sum()
        precision = hits / predicted if predicted else 0.0
        recall = hits / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append({"precision": float(precision), "recall": float(recall), "f1": float(f1), "support": int(actual)})
    return scores


def run(args) -> int:
    model_path, config = locate_model(args.target)
    name = args.data or config.get("data")
    if name is None:
        raise CommandError("--data is needed when evaluating a model file outside a run folder")
    data = datasets.load(name, args.data_dir or config.get("data_dir"))
    try:
        model = load_model(model_path)
    except (ValueError, FileNotFoundError) as error:
        raise CommandError(str(error)) from None
    probabilities = model.predict(data.x_test, verbose=0)
    predicted = probabilities.argmax(1)
    matrix = confusion_matrix(data.y_test, predicted, len(data.class_names))
    accuracy = float((predicted == data.y_test).mean())
    scores = per_class_scores(matrix)
    print(f"{model_path}: test accuracy {accuracy:.4f} on {len(data.y_test)} {data.name} images")
    width = max(len(c) for c in data.class_names)
    print(f"{'class':<{width}}  precision  recall     f1  support")
    for label, score in zip(data.class_names, scores):
        print(
            f"{label:<{width}}  {score['precision']:9.4f}  {score['recall']:6.4f}  {score['f1']:5.4f}  "
            f"{score['support']:7d}"
        )
    print("confusion matrix (rows: true class, columns: predicted):")
    for row in matrix:
        print(" ".join(f"{count:5d}" for count in row))
    if args.json:
        result = {"accuracy": accuracy, "per_class": dict(zip(data.class_names, scores)), "confusion": matrix.tolist()}
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0
