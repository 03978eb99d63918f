"""The `cnnkit` command: train, evaluate, predict, compare, transfer, report, export, convert, models,
summary, run, info.

Only the command line wires everything together (data sets, the zoo, training, saving). Every
bad argument ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from cnnkit import __version__
from cnnkit.cli import (
    compare,
    convert,
    evaluate,
    export,
    info,
    predict,
    rebuild_report,
    run_script,
    train,
    transfer,
    zoo_commands,
)
from cnnkit.cli.errors import CommandError


def _models(args) -> int:
    print(zoo_commands.models_table(zoo_commands.parse_shape(args.input_shape)))
    return 0


def _summary(args) -> int:
    model = zoo_commands.build(args.model, zoo_commands.parse_shape(args.input_shape), args.classes)
    model.summary()
    return 0


def _info(args) -> int:
    info.show()
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="cnnkit", description="Keras-style deep learning on PyTorch.")
    root.add_argument("--version", action="version", version=f"cnnkit {__version__}")
    commands = root.add_subparsers(dest="command")
    command = commands.add_parser("train", help="train a zoo model on a data set into a run folder")
    train.add_arguments(command)
    command.set_defaults(handler=train.run)
    command = commands.add_parser("evaluate", help="test metrics, per-class scores and confusion matrix")
    command.add_argument("target", help="a run folder or a model file")
    command.add_argument("--data", default=None, help="the data set (default: the run's)")
    command.add_argument("--data-dir", default=None)
    command.add_argument("--json", default=None, help="also write the results to this JSON file")
    command.set_defaults(handler=evaluate.run)
    command = commands.add_parser("predict", help="classify image files (PNG, JPEG, ...) with a trained model")
    command.add_argument("target", help="a run folder or a model file")
    command.add_argument("images", nargs="+", help="image files")
    command.add_argument("--top", type=int, default=3, help="how many classes to show (default 3)")
    command.add_argument("--json", action="store_true", help="print JSON for machines")
    command.set_defaults(handler=predict.run)
    command = commands.add_parser("compare", help="train several models under one budget; a leaderboard")
    compare.add_arguments(command)
    command.set_defaults(handler=compare.run)
    command = commands.add_parser("transfer", help="a trained run's network, with a new classifier, on new data")
    transfer.add_arguments(command)
    command.set_defaults(handler=transfer.run)
    command = commands.add_parser("report", help="write a run folder's report.html and plots again")
    command.add_argument("run", help="a run folder of `cnnkit train`")
    command.add_argument("--data-dir", default=None)
    command.set_defaults(handler=rebuild_report.run)
    command = commands.add_parser("export", help="write a trained model as ONNX or TorchScript")
    export.add_arguments(command)
    command.set_defaults(handler=export.run)
    command = commands.add_parser("convert", help="a model file into another format: Keras .keras/.h5, ONNX, ...")
    convert.add_arguments(command)
    command.set_defaults(handler=convert.run)
    command = commands.add_parser("models", help="the zoo: papers, parameters and multiply-adds")
    command.add_argument("--input-shape", default=None, help="height,width,channels (default: each model's own)")
    command.set_defaults(handler=_models)
    command = commands.add_parser("summary", help="a zoo model's Keras-style summary")
    command.add_argument("model")
    command.add_argument("--input-shape", default=None, help="height,width,channels, e.g. 28,28,1")
    command.add_argument("--classes", type=int, default=None)
    command.set_defaults(handler=_summary)
    command = commands.add_parser("run", help="run an unmodified Keras program, its Keras imports on cnnkit")
    run_script.add_arguments(command)
    command.set_defaults(handler=run_script.run)
    command = commands.add_parser("info", help="versions, the device, and where data sets are found")
    command.set_defaults(handler=_info)
    return root


def main(argv: list[str] | None = None) -> int:
    root = parser()
    args = root.parse_args(argv)
    if getattr(args, "handler", None) is None:
        root.print_help()
        return 0
    try:
        return args.handler(args)
    except CommandError as error:
        print(f"cnnkit {args.command}: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        # a full disk, a read-only folder, a damaged JSON or model file, an image decoder's refusal
        # (PIL's decompression bomb); a program under `cnnkit run` keeps its own traceback
        readable = isinstance(error, (OSError, ValueError)) or type(error).__module__.startswith("PIL")
        if args.command == "run" or not readable:
            raise
        print(f"cnnkit {args.command}: {_one_line(error)}", file=sys.stderr)
        return 2


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


__all__ = ["main"]
