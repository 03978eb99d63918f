#!/usr/bin/env bash
# The main job: set up, make sure real Fashion-MNIST is on the machine (Debian's package, which
# needs no internet beyond the package registry), then train the Fashion-MNIST CNN for one epoch
# and print its test accuracy.
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
.venv/bin/python examples/fashion_mnist_cnn.py --epochs "${EPOCHS:-1}"
