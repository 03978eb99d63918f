#!/usr/bin/env bash
# bench/.keras-env: Keras 3 with its torch and JAX backends, for bench/frameworks.py only (never a
# cnnkit dependency). torch is pinned first, as in scripts/setup.sh, so pip takes the CPU build.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .keras-env/bin/python ] || python3 -m venv .keras-env
.keras-env/bin/pip install --quiet --disable-pip-version-check "${CNNKIT_TORCH:-torch==2.13.0}"
.keras-env/bin/pip install --quiet --disable-pip-version-check keras jax jaxlib pillow scipy six pandas tqdm scikit-learn matplotlib ipython opencv-python-headless cairocffi editdistance  # pillow, scipy: Keras's image iterators; the rest: what the public programs import (bench/keras_programs.py)
