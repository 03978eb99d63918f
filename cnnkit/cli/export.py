"""`cnnkit export RUN_OR_MODEL FILE`: the trained model as ONNX or TorchScript (see models/export.py)."""

from __future__ import annotations

from cnnkit.cli.errors import CommandError
from cnnkit.cli.evaluate import locate_model, open_model


def add_arguments(parser) -> None:
    parser.add_argument("target", help="a run folder or a model file")
    parser.add_argument("output", help="the file to write, e.g. model.onnx")
    parser.add_argument("--format", default=None, choices=["onnx", "torchscript"], help="default: from the suffix")


def run(args) -> int:
    model_path, _ = locate_model(args.target)
    model = open_model(model_path)
    format_ = args.format or ("torchscript" if args.output.endswith((".pt", ".ts", ".torchscript")) else "onnx")
    try:
        model.export(args.output, format=format_)
    except (ImportError, ValueError, RuntimeError) as error:
        raise CommandError(str(error)) from None
    print(f"{model_path} -> {args.output} ({format_}; input {tuple(model.input_shape[1:])}, any batch size)")
    return 0
