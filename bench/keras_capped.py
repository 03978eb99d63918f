"""Run a program under Keras 3 itself with the caps `cnnkit run` applies, for bench/keras_programs.py:

    bench/.keras-env/bin/python bench/keras_capped.py --max-epochs 1 --max-samples 512 program.py [ARGS]

Every fit runs at most --max-epochs epochs on its first --max-samples samples (validation arrays
and evaluate too), and every Keras data set's load_data gives at most --max-samples per split,
so both frameworks see the same data. Bench only: this file imports Keras, never cnnkit.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import runpy
import sys
import types

import keras


def first(value, count: int):
    if isinstance(value, (list, tuple)):
        return type(value)(first(item, count) for item in value)
    if isinstance(value, dict):
        return {key: first(item, count) for key, item in value.items()}
    if hasattr(value, "shape") and len(value.shape) > 0 and hasattr(value, "__getitem__"):
        return value[:count]
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-epochs", type=int)
    parser.add_argument("--max-samples", type=int)
    parser.add_argument("--keep-data", action="store_true")
    parser.add_argument("script")
    parser.add_argument("args", nargs="...")
    options = parser.parse_args()
    epochs, samples = options.max_epochs, options.max_samples
    fit, evaluate = keras.Model.fit, keras.Model.evaluate

    def capped(method, is_fit: bool):
        signature = inspect.signature(method)

        @functools.wraps(method)
        def run(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            given = bound.arguments
            x = given["x"]
            given["x"], given["y"] = first(x, samples), first(given["y"], samples)
            if is_fit:
                given["epochs"] = min(given["epochs"], given["initial_epoch"] + epochs)
                given["validation_data"] = first(given["validation_data"], samples)
                if not hasattr(x, "shape") and given["steps_per_epoch"]:  # a generator: fewer steps
                    steps = max(1, samples // (given["batch_size"] or 32))
                    given["steps_per_epoch"] = min(given["steps_per_epoch"], steps)
            return method(*bound.args, **bound.kwargs)

        return run

    capped_fit, capped_evaluate = capped(fit, True), capped(evaluate, False)
    keras.Model.fit, keras.Model.evaluate = capped_fit, capped_evaluate
    from keras.src.utils import file_utils

    file_utils.validate_file = lambda *args, **kwargs: True  # the data sets here are made, not downloaded
    if not options.keep_data:
        for name in ("mnist", "fashion_mnist", "cifar10", "imdb", "reuters"):
            module = getattr(keras.datasets, name)
            module.load_data = functools.partial(lambda load, *a, **k: first(load(*a, **k), samples), module.load_data)
    if "tensorflow" not in sys.modules:  # programs that import it without using it (JAX runs them)
        from keras.src.utils import module_utils

        module_utils.tensorflow._available = False  # Keras itself must still see no TensorFlow
        stand_in = types.ModuleType("tensorflow")
        stand_in.executing_eagerly = lambda: True  # Keras's preprocessing layers ask whether in a tf graph
        sys.modules["tensorflow"] = stand_in
    sys.argv = [options.script, *options.args]
    runpy.run_path(options.script, run_name="__main__")


if __name__ == "__main__":
    main()
