#!/usr/bin/env bash
# Install the tutor into its own virtual environment (.venv by default), saying what it downloads.
#
#   bash scripts/install.sh                          fresh machine: the tutor + the right torch
#   bash scripts/install.sh --kernel-python PY       GPU box with its own CUDA torch: no torch here,
#                                                    the code kernel runs under PY (saved in config)
#   bash scripts/install.sh --wheelhouse DIR [...]   offline: install only from DIR (no network)
#
# Options: --torch auto|cpu|cuda|none (auto: CUDA build only when `nvidia-smi -L` lists a GPU, else
# the CPU build), --venv DIR. An environment that already imports torch keeps its torch: this script
# never replaces a torch it did not install in this run.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."

venv=.venv
torch_choice=auto
kernel_python=""
wheelhouse=""
cpu_index="${TORCH_CPU_INDEX_URL:-https://download.pytorch.org/whl/cpu}"

# Paths given on the command line are relative to where the command was typed.
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$here/$1" ;; esac; }
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --venv) venv=$(abspath "$2"); shift 2 ;;
        --torch) torch_choice="$2"; shift 2 ;;
        --kernel-python) kernel_python=$(abspath "$2"); shift 2 ;;
        --wheelhouse) wheelhouse=$(abspath "$2"); shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
case "$torch_choice" in auto|cpu|cuda|none) ;; *)
    echo "install.sh: --torch must be auto, cpu, cuda or none (got $torch_choice)" >&2; exit 2 ;;
esac

if [ -n "$kernel_python" ]; then
    if ! [ -x "$kernel_python" ]; then
        echo "install.sh: --kernel-python $kernel_python is not an executable interpreter" >&2
        exit 2
    fi
    # Read-only look at the user's environment: it is never installed into.
    if ! "$kernel_python" -c "import torch" 2>/dev/null; then
        echo "install.sh: $kernel_python cannot import torch; give the interpreter of the" >&2
        echo "environment that has your CUDA torch (e.g. /opt/venvs/cuda/bin/python)" >&2
        exit 2
    fi
    torch_choice=none   # the tutor's own environment needs no torch: the kernel brings it
fi

pip_from=()
if [ -n "$wheelhouse" ]; then
    if ! [ -d "$wheelhouse" ]; then
        echo "install.sh: no wheelhouse folder $wheelhouse (build one with scripts/wheelhouse.sh)" >&2
        exit 2
    fi
    pip_from=(--no-index --find-links "$wheelhouse")
fi

if ! [ -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
py="$venv/bin/python"

if [ -n "$wheelhouse" ]; then
    echo "install.sh: installing la4ml-tutor from $wheelhouse (no network)"
    "$py" -m pip install --quiet "${pip_from[@]}" la4ml-tutor
else
    echo "install.sh: installing la4ml-tutor and its dependencies (about 30 MB download)"
    "$py" -m pip install --quiet .
fi

if [ "$torch_choice" != none ] && "$py" -c "import torch" 2>/dev/null; then
    echo "install.sh: $venv already has torch $("$py" -c 'import torch; print(torch.__version__)'); kept as it is"
    torch_choice=none
fi
if [ "$torch_choice" = auto ]; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
        torch_choice=cuda
    else
        torch_choice=cpu
    fi
fi
case "$torch_choice" in
    cpu)
        echo "install.sh: no NVIDIA GPU in use: installing the CPU build of torch (about 190 MB)"
        if [ -n "$wheelhouse" ]; then
            "$py" -m pip install --quiet "${pip_from[@]}" torch
        else
            "$py" -m pip install --quiet --index-url "$cpu_index" torch
        fi ;;
    cuda)
        echo "install.sh: installing the CUDA build of torch from PyPI (about 3.0 GB download," \
             "more on disk)"
        "$py" -m pip install --quiet "${pip_from[@]}" torch ;;
    none) ;;
esac

if [ -n "$kernel_python" ]; then
    # Save kernel.python in the tutor's own config file (never the user's environment).
    "$py" - "$kernel_python" <<'PYTHON'
import json
import sys
from tutor.settings import default_config_file

target = sys.argv[1]
path = default_config_file()
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
current = data.get("kernel", {}).get("python")
if current == target:
    print(f"install.sh: {path} already runs the kernel under {target}")
elif "kernel" in data:
    print(f"install.sh: {path} has a [kernel] table; set python = \"{target}\" in it yourself,"
          " or pass --python to each command", file=sys.stderr)
    sys.exit(3)
else:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        # A JSON string is a valid TOML basic string: quotes and backslashes stay escaped.
        out.write(f"\n[kernel]\npython = {json.dumps(target)}\n")
    print(f"install.sh: the code kernel will run under {target} (saved in {path})")
PYTHON
    echo "install.sh: what the kernel will run under:"
    "$venv/bin/tutor" doctor || echo "install.sh: tutor doctor reported a problem (above)" >&2
fi
echo "install.sh: done. Start with: $venv/bin/tutor start"
