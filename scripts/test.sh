#!/usr/bin/env bash
# The test command: set up, check style, run the tests (add --slow for the slow ones).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
if [ "${1:-}" = "--slow" ]; then
  # the slow tests, and the property-based ones again with their long profile
  CNNKIT_PROPERTIES=long .venv/bin/python -m pytest -m "slow or properties"
else
  .venv/bin/python -m pytest
fi
