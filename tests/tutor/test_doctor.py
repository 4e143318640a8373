"""`tutor doctor` reports the kernel's interpreter, libraries, CUDA and sandbox level, and fails
loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _doctor(data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        **os.environ,
        "TUTOR_DATA_DIR": str(data_dir),
        "TUTOR_CONFIG": str(data_dir / "none.toml"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "tutor", "doctor"],
        capture_output=True,
        text=True,
        env=full,
        timeout=180,
    )


@pytest.mark.slow
def test_doctor_reports_a_healthy_setup(tmp_path: Path) -> None:
    done = _doctor(tmp_path / "data")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    labels = (
        "tutor python",
        "kernel python",
        "numpy (kernel)",
        "torch (kernel)",
        "CUDA",
        "sandbox",
        "processes",
        "data dir",
    )
    for label in labels:
        assert label in out
    assert "(writable)" in out and "status          ok" in out
    assert any(
        level in out
        for level in ("sandbox         full", "sandbox         partial", "sandbox         degraded")
    )


def test_doctor_fails_on_a_broken_kernel_interpreter(tmp_path: Path) -> None:
    done = _doctor(tmp_path / "data", TUTOR_KERNEL_PYTHON=str(tmp_path / "missing-python"))
    assert done.returncode == 1
    assert "BROKEN" in done.stdout and "PROBLEMS" in done.stdout


@pytest.mark.slow
def test_doctor_says_how_processes_are_limited(tmp_path: Path) -> None:
    out = _doctor(tmp_path / "data").stdout
    line = next(line for line in out.splitlines() if line.startswith("processes "))
    limited = "pids cgroup (v" in line or "RLIMIT_NPROC" in line
    # Either a mechanism with its number, or an explicit NOT LIMITED with the reason.
    assert limited or "NOT LIMITED (" in line, line
    if os.geteuid() == 0 and limited:
        assert "pids cgroup" in line, "root ignores RLIMIT_NPROC: only a cgroup limits it"


def test_doctor_names_every_layer_and_says_nothing_frightening_under_ok(tmp_path: Path) -> None:
    out = _doctor(tmp_path / "data").stdout
    for title in (
        "filesystem view",
        "identity",
        "Landlock",
        "syscall filter",
        "memory limit",
        "process limit",
        "pid namespace",
        "network",
        "terminal",
    ):
        line = next((line for line in out.splitlines() if line.strip().startswith(title)), "")
        assert " ok " in line or "MISSING" in line, (title, out)
    full = "sandbox         full" in out
    assert full == ("MISSING" not in out)
    if "status          ok" in out:
        assert "Permission denied" not in out and "tried" not in out
    if full:
        assert (
            "not available" not in out
        )  # reasons for weaker levels appear only when one is in use
