#!/usr/bin/env bash
# Install everything the test suite needs into its own environment, .venv-test (CPU torch 2.13.0,
# pinned for CI and development only), then run the suite. It never touches .venv, the environment
# a learner runs the tutor from, nor any torch you installed yourself.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-test
cpu_index="${TORCH_CPU_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
if ! [ -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
py="$venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
# The CPU build (2.13.0+cpu, ~190 MB) from PyTorch's index: PyPI's Linux torch is the ~3 GB CUDA
# build. Where that index cannot be reached, a local wheel of the same pin still satisfies it.
if ! "$py" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null
then
    "$py" -m pip install --quiet --retries 1 --extra-index-url "$cpu_index" "torch==2.13.0"
fi
"$py" -m pip install --quiet "torch==2.13.0" -e ".[test,bench,optimizer]"
export PATH="$PWD/$venv/bin:$PATH"
# Lint and types first (pyproject.toml configures both): an unclean tree fails the run.
"$py" -m ruff check .
"$py" -m ruff format --check .
"$py" -m mypy
# In parallel: one worker more than there are cores, because a good part of the suite waits on
# terminals, kernels and subprocesses rather than computing (on 2 cores: 5:00 with 2 workers,
# 3:57 with 3). `-n 0` runs in this process instead; a later -n wins. Tests that share an
# expensive fixture name one xdist group, so one worker builds it once.
workers=$(( $("$py" -c 'import os; print(os.cpu_count() or 1)') + 1 ))
exec "$py" -m pytest -q -p no:cacheprovider -n "$workers" --dist loadgroup "$@"
