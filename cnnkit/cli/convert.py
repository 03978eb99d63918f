"""`cnnkit convert IN OUT`: a model file from one format into another. IN is any model file cnnkit
loads (Keras 3 `.keras`, Keras 2 / tf.keras `.h5`, cnnkit's own archive) or a run folder; OUT's
suffix picks the format: `.keras` or `.h5` for Keras (both load in real Keras), `.weights.h5`
for Keras's weights alone, `.cnnkit` for cnnkit's archive, `.onnx` or `.pt` for inference files
(models/export.py)."""

from __future__ import annotations

import os

from cnnkit.cli.errors import CommandError
from cnnkit.cli.evaluate import locate_model, open_model
from cnnkit.models.keras_files.files import file_kind

FORMATS = {
    "keras": ".keras",
    "h5": ".h5",
    "weights": ".weights.h5",
    "cnnkit": ".cnnkit",
    "onnx": ".onnx",
    "torchscript": ".pt",
}
KIND_NAMES = {"keras": "Keras 3 .keras", "h5": "Keras HDF5", "cnnkit": "cnnkit archive"}


def add_arguments(parser) -> None:
    parser.add_argument("source", help="a model file (.keras, .h5, cnnkit's archive) or a run folder")
    parser.add_argument("output", help="the file to write: .keras, .h5, .weights.h5, .cnnkit, .onnx or .pt")
    parser.add_argument("--format", default=None, choices=sorted(FORMATS), help="default: from the output's suffix")
    parser.epilog = "example: cnnkit convert model_from_keras.h5 model.onnx"


def format_of(output: str) -> str:
    name = output.lower()
    if name.endswith(".weights.h5"):
        return "weights"
    for format_, suffix in FORMATS.items():
        if name.endswith(suffix) or (format_ == "h5" and name.endswith(".hdf5")):
            return format_
    if name.endswith((".ts", ".torchscript")):
        return "torchscript"
    choices = ", ".join(sorted(set(FORMATS.values())))
    raise CommandError(f"cannot tell the format of {output!r} from its suffix ({choices}); pass --format")


def run(args) -> int:
    format_ = args.format or format_of(args.output)
    model_path, _ = locate_model(args.source)
    model = open_model(model_path)
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise CommandError(f"the folder {folder!r} for {args.output!r} does not exist")
    try:
        if format_ in ("onnx", "torchscript"):
            model.export(args.output, format=format_)
        elif format_ == "weights":
            model.save_weights(args.output)
        else:
            model.save(args.output, format=format_)
    except (ImportError, ValueError, RuntimeError, OSError) as error:
        raise CommandError(str(error).splitlines()[0]) from None
    source_kind = KIND_NAMES.get(file_kind(str(model_path)), "model file")
    print(
        f"{model_path} ({source_kind}) -> {args.output} ({format_}): {type(model).__name__} '{model.name}', "
        f"{model.count_params():,} parameters, input {tuple(model.input_shape[1:])}"
    )
    return 0
