#!/usr/bin/env bash
# On a connected machine, build a folder of wheels (the tutor and every dependency) for an offline
# box, then copy the folder there and run: bash scripts/install.sh --wheelhouse DIR
#
#   bash scripts/wheelhouse.sh [--python-version 3.11] [--platform manylinux_2_28_x86_64]
#                              [--torch none|cpu|cuda] [OUT_DIR]
#
# --python-version and --platform describe the offline box (`python3 --version`; for the platform,
# `python3 -c "import sysconfig; print(sysconfig.get_platform())"` gives e.g. linux-x86_64, which is
# manylinux_2_28_x86_64 on a glibc ≥ 2.28 box). Defaults: this machine's. --torch (default none)
# adds a torch build: none when the box has its own CUDA torch (then install with --kernel-python).
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."

python_version=""
platform=""
torch_choice=none
out=wheelhouse
cpu_index="${TORCH_CPU_INDEX_URL:-https://download.pytorch.org/whl/cpu}"

# Paths given on the command line are relative to where the command was typed.
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$here/$1" ;; esac; }
usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --python-version) python_version="$2"; shift 2 ;;
        --platform) platform="$2"; shift 2 ;;
        --torch) torch_choice="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "wheelhouse.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) out=$(abspath "$1"); shift ;;
    esac
done
case "$torch_choice" in none|cpu|cuda) ;; *)
    echo "wheelhouse.sh: --torch must be none, cpu or cuda (got $torch_choice)" >&2; exit 2 ;;
esac

mkdir -p "$out"
target=(--only-binary=:all:)
if [ -n "$python_version" ]; then target+=(--python-version "$python_version" --implementation cp); fi
if [ -n "$platform" ]; then target+=(--platform "$platform"); fi

# The tutor itself is pure Python: one wheel serves every platform.
echo "wheelhouse.sh: building the la4ml-tutor wheel"
python3 -m pip wheel --quiet --no-deps --wheel-dir "$out" .
tutor_wheel=$(ls -t "$out"/la4ml_tutor-*.whl | head -n 1)
echo "wheelhouse.sh: downloading its dependencies for ${platform:-this platform}," \
     "Python ${python_version:-$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')}"
python3 -m pip download --quiet "${target[@]}" --dest "$out" "$tutor_wheel"
case "$torch_choice" in
    cpu) python3 -m pip download --quiet "${target[@]}" --dest "$out" \
             --index-url "$cpu_index" torch ;;
    cuda) python3 -m pip download --quiet "${target[@]}" --dest "$out" torch ;;
    none) ;;
esac
size=$(du -sh "$out" | cut -f1)
echo "wheelhouse.sh: $(ls "$out" | wc -l) wheels, $size, in $out"
echo "wheelhouse.sh: on the offline box: bash scripts/install.sh --wheelhouse $out"
