#!/usr/bin/env bash
# The one command for a session lent a GPU machine, whose python3 already holds torch with CUDA and
# every package cnnkit and its tests use: the GPU measurements (bench/gpu_scale.py), then the test
# suite on the GPU (CNNKIT_TEST_DEVICE=cuda). Each log is written to $OUT, so it comes back even
# when a step runs out of time. About 8 minutes on an H100; give the run timeout_s=600.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/cnnkit-gpu}"
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee "$out/gpu.txt"
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" | tee -a "$out/gpu.txt"
timeout 330 python3 bench/gpu_scale.py 2>&1 | tee "$out/gpu_scale.log"
CNNKIT_TEST_DEVICE=cuda timeout 220 python3 -m pytest -q -rf --maxfail=40 -p no:cacheprovider 2>&1 \
  > "$out/tests_cuda.log"
tail -45 "$out/tests_cuda.log"
