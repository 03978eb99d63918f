"""`cnnkit export RUN_OR_MODEL FILE`: the trained model as ONNX or TorchScript (see models/export.py)."""

from __future__ import annotations

from pathlib import Path

from cnnkit.cli.errors import CommandError
from cnnkit.cli.evaluate import locate_model, open_model


def add_arguments(parser) -> None:
    parser.add_argument("target", help="a run folder or a model file")
    parser.add_argument("output", help="the file to write, e.g. model.onnx")
    parser.add_argument("--format", default=None, choices=["onnx", "torchscript"], help="default: from the suffix")


SUFFIXES = {".onnx": "onnx", ".pt": "torchscript", ".ts": "torchscript", ".torchscript": "torchscript"}
# Formats users ask for that need TensorFlow's own tools: refused rather than written as something else.
TENSORFLOW_FORMATS = {".tflite": "TensorFlow Lite", ".pb": "a TensorFlow SavedModel", ".mlmodel": "Core ML"}


def output_format(output: str, asked: str | None) -> str:
    suffix = Path(output).suffix.lower()
    if suffix in TENSORFLOW_FORMATS:
        raise CommandError(
            f"{output}: cnnkit does not write {TENSORFLOW_FORMATS[suffix]}; export ONNX (model.onnx) and convert "
            f"that with the format's own tools (onnx2tf for TensorFlow Lite, coremltools for Core ML)"
        )
    if asked:
        return asked
    if suffix not in SUFFIXES:
        raise CommandError(f"{output}: name the file .onnx or .pt (TorchScript), or give --format")
    return SUFFIXES[suffix]


def run(args) -> int:
    format_ = output_format(args.output, args.format)
    model_path, _ = locate_model(args.target)
    model = open_model(model_path)
    try:
        model.export(args.output, format=format_)
    except (ImportError, ValueError, RuntimeError) as error:
        raise CommandError(str(error)) from None
    print(f"{model_path} -> {args.output} ({format_}; input {tuple(model.input_shape[1:])}, any batch size)")
    return 0
