"""`cnnkit run SCRIPT [ARGS...]`: an unmodified Keras program, run as `python SCRIPT ARGS` would
run it (`sys.argv`, `__name__ == "__main__"`), with its Keras imports resolving to cnnkit."""

from __future__ import annotations

import argparse
import os
import re
import runpy
import sys
import traceback

from cnnkit import datasets, keras_alias
from cnnkit.cli.errors import CommandError
from cnnkit.common import keras_defaults
from cnnkit.training import smoke_caps


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; received {text!r}")
    return int(text)


def add_arguments(command) -> None:
    command.add_argument(
        "--max-epochs", type=_count, default=None, metavar="N", help="run every fit for at most N epochs (smoke runs)"
    )
    command.add_argument(
        "--max-samples",
        type=_count,
        default=None,
        metavar="N",
        help="at most N samples an epoch in every fit and evaluate, and N per split from every load_data",
    )
    command.add_argument(
        "--keep-data",
        action="store_true",
        help="leave load_data uncapped (for programs that reshape the data to its full size)",
    )
    command.add_argument(
        "--keras",
        type=int,
        choices=(2, 3),
        default=3,
        help="whose defaults where Keras 2.3 and 3 differ (optimizer learning rates, ...); default 3",
    )
    command.add_argument("script", help="a Python program written for Keras")
    command.add_argument("args", nargs="...", help="the program's own arguments")


def run(args) -> int:
    if not os.path.isfile(args.script):
        raise CommandError(f"{args.script}: no such file")
    keras_alias.install()
    _numpy_arrays_on_the_left()
    keras_defaults.set_version(args.keras)
    if args.keras == 2:
        _restore_numpy_aliases()
    smoke_caps.set_caps(args.max_epochs, args.max_samples)
    if args.max_samples is not None and not args.keep_data:
        _cap_data_sets()
    sys.argv = [args.script, *args.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))  # as python puts the script's folder first
    try:
        runpy.run_path(args.script, run_name="__main__")
    except keras_alias.TensorFlowNeeded as error:
        raise CommandError(str(error)) from None
    except (ValueError, TypeError, ImportError, AttributeError, NotImplementedError, OSError, RuntimeError) as error:
        refusal = _cnnkit_refusal(error, os.path.abspath(args.script))
        if refusal is None:
            raise  # the program's own error: Python's traceback, as `python` would show it
        raise CommandError(refusal) from None
    return 0


_REFLECTED = ("__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rfloordiv__", "__rpow__", "__rmod__")


def _numpy_arrays_on_the_left() -> None:
    """`array - tensor` works in a Keras program run here, as `array - jax_array` does under Keras:
    torch computes `tensor - array` but refuses the reflected form (keras.io's PixelCNN samples with
    `probs - keras.random.uniform(probs.shape)`). The array becomes a tensor on the tensor's device,
    for this process only."""
    import numpy
    import torch

    def reflected(method):
        def call(self, other):
            if isinstance(other, numpy.ndarray):
                other = torch.as_tensor(other, device=self.device)
            return method(self, other)

        return call

    for name in _REFLECTED:
        method = getattr(torch.Tensor, name)
        if not getattr(method, "takes_numpy", False):
            setattr(torch.Tensor, name, reflected(method))
            getattr(torch.Tensor, name).takes_numpy = True


# Names NumPy removed after Keras 2.3's time (the builtin aliases in 1.24, the rest in 2.0), which
# programs of that time use: `np.float` in Keras 2's conv_lstm.py.
_OLD_NUMPY_NAMES = {"float": float, "int": int, "bool": bool, "object": object, "complex": complex, "str": str}
_OLD_NUMPY_NAMES.update({"float_": "float64", "complex_": "complex128", "unicode_": "str_", "NaN": "nan", "Inf": "inf"})


def _restore_numpy_aliases() -> None:
    """`--keras 2` runs a program in the NumPy of Keras 2.3's time as well: the names it removed since
    are put back in this process only, meaning what they meant then."""
    import numpy

    for name, value in _OLD_NUMPY_NAMES.items():
        if name not in numpy.__dict__:
            setattr(numpy, name, getattr(numpy, value) if isinstance(value, str) else value)


def _cap_data_sets() -> None:
    """Make every `cnnkit.datasets.<name>.load_data` give capped splits, for this process's program."""
    for name in ("mnist", "fashion_mnist", "cifar10", "cifar100", "digits", "imdb", "reuters"):
        module = getattr(datasets, name)
        if not getattr(module.load_data, "smoke_capped", False):
            module.load_data = smoke_caps.capped_load_data(module.load_data)
            module.load_data.smoke_capped = True


def _cnnkit_refusal(error: Exception, script: str) -> str | None:
    """One line for an error cnnkit raised about what the program asked of it (a Keras name or
    feature it lacks, a bad argument): where in the program, and cnnkit's message. None for any
    other error."""
    frames = traceback.extract_tb(error.__traceback__)
    in_program = [frame for frame in frames if os.path.abspath(frame.filename) == script]
    missing_name = isinstance(error, ImportError) and "cnnkit" in str(error)
    missing_attribute = isinstance(error, AttributeError) and "module 'cnnkit" in str(error)
    raised_by_cnnkit = os.path.abspath(frames[-1].filename).startswith(_PACKAGE)
    if not in_program or not (missing_name or missing_attribute or raised_by_cnnkit):
        return None
    where = f"{os.path.basename(script)}, line {in_program[-1].lineno}"
    lacking = _lacking_name(str(error))
    if lacking is not None:
        return f"{where}: cnnkit has no {lacking} (a Keras name it does not provide yet)"
    return f"{where}: {error}"


def _lacking_name(message: str) -> str | None:
    """`keras.layers.Conv3D` from Python's message for a name cnnkit lacks, else None."""
    patterns = (
        r"cannot import name '(?P<name>[^']+)' from '(?P<module>cnnkit[^']*)'",
        r"No module named '(?P<module>cnnkit[^']*)'",
        r"module '(?P<module>cnnkit[^']*)' has no attribute '(?P<name>[^']+)'",
    )
    for pattern in patterns:
        found = re.search(pattern, message)
        if found:
            parts = found.groupdict()
            full = parts["module"] + (f".{parts['name']}" if parts.get("name") else "")
            return "keras" + full[len("cnnkit") :]
    return None


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
