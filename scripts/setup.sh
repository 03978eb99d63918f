#!/usr/bin/env bash
# Creates .venv: the pinned torch first (so nothing asks pip for "any torch" and pulls a
# multi-GB CUDA build), then cnnkit itself (editable) with its test tools.
# Re-running it is cheap: it reinstalls only when pyproject.toml or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_REQUIREMENT=${CNNKIT_TORCH:-torch==2.13.0}
if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
stamp=.venv/.cnnkit-setup
wanted="$(cat pyproject.toml scripts/setup.sh | sha256sum) $TORCH_REQUIREMENT"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check "$TORCH_REQUIREMENT"
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
  echo "$wanted" > "$stamp"
fi
