#!/usr/bin/env bash
# The test command: set up, check style, run the tests (add --slow for the slow ones).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# the documentation site, strictly: a broken link or reference fails the tests
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --site-dir "$(mktemp -d)"
if [ "${1:-}" = "--slow" ]; then
  # the report is checked in a real browser (Debian's Chromium) and progress in a real notebook kernel
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".[browser]"
  if ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -qq chromium >/dev/null || echo "Could not install chromium; the browser test will skip."
  fi
  # the slow tests, and the property-based ones again with their long profile
  CNNKIT_PROPERTIES=long .venv/bin/python -m pytest -m "slow or properties"
else
  .venv/bin/python -m pytest
fi
