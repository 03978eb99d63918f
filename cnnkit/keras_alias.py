"""Keras programs on cnnkit unchanged: after `install()`, `import keras`, `from keras.layers import
Dense`, `import tensorflow.keras`, `from tensorflow import keras` and `from tensorflow.keras.x import
y` all give cnnkit's modules. `cnnkit run script.py` installs it before running a script; in a
notebook, call `cnnkit.keras_alias.install()` once, before the program's imports.

`tensorflow` itself is a stand-in that holds only `keras`: a program that uses TensorFlow's own
functions (`tf.data`, `tf.GradientTape`, `tf.reduce_sum`, ...) stops at the first one with a line
that names it, instead of failing somewhere deep inside.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

# Keras's module names and the cnnkit module each one is.
ALIASES = {"keras": "cnnkit", "tensorflow.keras": "cnnkit", "tf_keras": "cnnkit"}


class TensorFlowNeeded(ImportError):
    """The program uses a TensorFlow function, which cnnkit (Keras on PyTorch) does not provide."""


class _TensorFlowStandIn(types.ModuleType):
    @staticmethod
    def is_tensor(value) -> bool:
        """Nothing here is a TensorFlow tensor; libraries such as matplotlib ask this of any
        `tensorflow` module they find loaded, so it must answer rather than stop the program."""
        return False

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise TensorFlowNeeded(
            f"this program uses TensorFlow itself (tf.{name}); cnnkit runs Keras code on PyTorch and has no "
            f"tf.{name}: replace it with its Keras or torch equivalent"
        )


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `keras.x.y` as `cnnkit.x.y`: the same module object under both names."""

    def find_spec(self, fullname: str, path=None, target=None):
        if _target(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return importlib.import_module(_target(spec.name))

    def exec_module(self, module) -> None:  # the cnnkit module is already executed
        pass


def _target(fullname: str) -> str | None:
    for alias, real in ALIASES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return real + fullname[len(alias) :]
    return None


def install() -> None:
    """Make Keras's import names give cnnkit in this process (once; calling again does nothing)."""
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
    if not isinstance(sys.modules.get("tensorflow"), _TensorFlowStandIn):
        tensorflow = _TensorFlowStandIn("tensorflow", "cnnkit's stand-in: tensorflow.keras is cnnkit")
        tensorflow.__path__ = []  # a package, so `import tensorflow.keras` looks for its submodule
        tensorflow.keras = importlib.import_module("cnnkit")
        sys.modules["tensorflow"] = tensorflow
    for alias in ALIASES:  # a program may have imported one before (a notebook): replace it
        if alias in sys.modules and sys.modules[alias] is not sys.modules["cnnkit"]:
            del sys.modules[alias]
