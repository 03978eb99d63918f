#!/usr/bin/env bash
# The main job: set up, make sure real Fashion-MNIST is on the machine (Debian's package, which
# needs no internet beyond the package registry), then `cnnkit train` LeNet-5 on it for a few
# epochs into runs/main: test accuracy on the console, the report in runs/main/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
home=${CNNKIT_HOME:-$HOME/.cnnkit}
if [ ! -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ] \
  && [ ! -f "$home/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz" ] && command -v apt-get >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null \
    || echo "Could not install dataset-fashion-mnist; load_data() will try to download the files."
fi
.venv/bin/cnnkit train --model lenet5 --data fashion_mnist --epochs "${EPOCHS:-10}" --lr-decay cosine \
  --out "${OUT:-runs/main}" --exist-ok
