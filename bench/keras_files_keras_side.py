"""The Keras half of bench/keras_files_check.py: loads each file cnnkit wrote (FOLDER/cases.json)
with real Keras 3 and compares its predictions with cnnkit's. Runs in the Keras environment.

    KERAS_BACKEND=jax bench/.keras-env/bin/python bench/keras_files_keras_side.py FOLDER
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import keras
import numpy as np

TOLERANCE = 1e-5


def main() -> int:
    folder = Path(sys.argv[1])
    failures = 0
    print(f"Keras {keras.__version__} ({keras.backend.backend()}) loading cnnkit's files from {folder}")
    for case in json.loads((folder / "cases.json").read_text()):
        x = np.load(folder / f"{case['model']}_x.npy")
        expected = np.load(folder / f"{case['model']}_y.npy")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if "architecture" in case:  # a weights file: into the model Keras built from the .keras file
                    model = keras.saving.load_model(folder / case["architecture"], compile=False)
                    for variable in model.weights:
                        variable.assign(np.zeros(variable.shape, variable.dtype))
                    model.load_weights(folder / case["file"])
                else:
                    model = keras.saving.load_model(folder / case["file"])
            difference = float(np.abs(np.asarray(model.predict(x, verbose=0)) - expected).max())
            compiled = "compiled" if getattr(model, "compiled", False) else "not compiled"
            verdict = "ok" if difference <= TOLERANCE else "DIFFERS"
            print(f"{case['file']:28s} max |keras - cnnkit| = {difference:.2e}  {verdict}  ({compiled})")
            failures += difference > TOLERANCE
        except Exception as error:  # any failure to load is the finding this script reports
            print(f"{case['file']:28s} FAILED: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
            failures += 1
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
