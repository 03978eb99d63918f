"""The `cnnkit` command: train, evaluate, predict, compare, transfer, report, export, convert, models,
summary, run, info.

Only the command line wires everything together (data sets, the zoo, training, saving). Every
bad argument ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import shlex
import sys

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
from cnnkit_command import version


def _models(args) -> int:
    print(zoo_commands.models_table(zoo_commands.parse_shape(args.input_shape), markdown=args.markdown))
    return 0


def _summary(args) -> int:
    model = zoo_commands.build(args.model, zoo_commands.parse_shape(args.input_shape), args.classes)
    model.summary()
    return 0


def _info(args) -> int:
    info.show()
    return 0


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Every option's default in its help (unless there is none to show), examples kept as written."""

    def _get_help_string(self, action) -> str:
        if action.default in (None, False, argparse.SUPPRESS) or "default" in (action.help or ""):
            return action.help or ""
        return super()._get_help_string(action)


EXAMPLES = {
    "train": """examples:
  cnnkit train --model lenet5 --data fashion_mnist --epochs 10 --lr-decay cosine
  cnnkit train --model resnet20 --data folder:photos --image-size 64,64 --augment --patience 5
  cnnkit train --config runs/lenet5-mnist/config.json --epochs 20    a run's settings, 20 epochs
  cnnkit train --resume runs/lenet5-mnist                            continue an interrupted run""",
    "evaluate": "example:\n  cnnkit evaluate runs/lenet5-fashion_mnist --json results.json",
    "predict": """examples:
  cnnkit predict runs/lenet5-mnist digit.png
  cnnkit predict runs/lenet5-mnist 'photos/*.png' scans/      a glob and a folder""",
    "compare": """examples:
  cnnkit compare --models lenet5,fashion_cnn,resnet20 --data fashion_mnist --epochs 3
  cnnkit compare runs/lenet5-mnist runs/resnet20-mnist        finished runs, curves overlaid""",
    "export": "example:\n  cnnkit export runs/lenet5-mnist lenet5.onnx",
}


def _add(commands, name: str, help_text: str):
    description = help_text[0].upper() + help_text[1:] + "."
    return commands.add_parser(
        name, help=help_text, description=description, epilog=EXAMPLES.get(name), formatter_class=HelpFormatter
    )


def given_options(argv: list[str]) -> set[str]:
    """The options the command line states explicitly (which a --config file or a resumed run's
    saved settings must not override): argv parsed again with every default removed."""
    quiet = parser()
    pending = [quiet]
    while pending:
        for action in pending.pop()._actions:
            action.default = argparse.SUPPRESS
            if isinstance(action, argparse._SubParsersAction):
                pending += list(action.choices.values())
    return set(vars(quiet.parse_args(argv))) - {"handler"}


def parser() -> argparse.ArgumentParser:
    """The command line."""
    root = argparse.ArgumentParser(prog="cnnkit", description="Keras-style deep learning on PyTorch.")
    root.add_argument("--version", action="version", version=f"cnnkit {version()}")
    commands = root.add_subparsers(dest="command")
    add = lambda name, help_text: _add(commands, name, help_text)  # noqa: E731
    command = add("train", "train a zoo model on a data set into a run folder")
    train.add_arguments(command)
    command.set_defaults(handler=train.run)
    command = add("evaluate", "test metrics, per-class scores and confusion matrix")
    command.add_argument("target", help="a run folder or a model file")
    command.add_argument("--data", default=None, help="the data set (default: the run's)")
    command.add_argument("--data-dir", default=None)
    command.add_argument("--json", default=None, help="also write the results to this JSON file")
    command.set_defaults(handler=evaluate.run)
    command = add("predict", "classify image files (PNG, JPEG, ...) with a trained model")
    predict.add_arguments(command)
    command.set_defaults(handler=predict.run)
    command = add("compare", "train several models under one budget, or compare finished runs")
    compare.add_arguments(command)
    command.set_defaults(handler=compare.run)
    command = add("transfer", "a trained run's network, with a new classifier, on new data")
    transfer.add_arguments(command)
    command.set_defaults(handler=transfer.run)
    command = add("report", "write a run folder's report.html and plots again")
    command.add_argument("run", help="a run folder of `cnnkit train`")
    command.add_argument("--data-dir", default=None)
    command.set_defaults(handler=rebuild_report.run)
    command = add("export", "write a trained model as ONNX or TorchScript")
    export.add_arguments(command)
    command.set_defaults(handler=export.run)
    command = add("convert", "a model file into another format: Keras .keras/.h5, ONNX, ...")
    convert.add_arguments(command)
    command.set_defaults(handler=convert.run)
    command = add("models", "the zoo: papers, parameters and multiply-adds")
    command.add_argument("--input-shape", default=None, help="height,width,channels (default: each model's own)")
    command.add_argument("--markdown", action="store_true", help="a Markdown table, with the papers' titles")
    command.set_defaults(handler=_models)
    command = add("summary", "a zoo model's Keras-style summary")
    command.add_argument("model")
    command.add_argument("--input-shape", default=None, help="height,width,channels, e.g. 28,28,1")
    command.add_argument("--classes", type=int, default=None)
    command.set_defaults(handler=_summary)
    command = add("run", "run an unmodified Keras program, its Keras imports on cnnkit")
    run_script.add_arguments(command)
    command.set_defaults(handler=run_script.run)
    command = add("info", "versions, the device, and where data sets are found")
    command.set_defaults(handler=_info)
    return root


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    root = parser()
    args = root.parse_args(argv)
    if getattr(args, "handler", None) is None:
        root.print_help()
        return 0
    args.given = given_options(argv)
    args.command_line = shlex.join(["cnnkit", *argv])
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
