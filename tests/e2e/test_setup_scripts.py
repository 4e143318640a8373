"""The README's set-up paths: offline wheelhouse, a GPU box's own torch, the test environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# One worker runs this module (the wheelhouse is built once in a module fixture):
# split across workers, each would pay for it.
pytestmark = pytest.mark.xdist_group("setup-scripts")

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: the tutor's config in tmp, and pip with no find-links of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "TUTOR_"))}
    env.update(TUTOR_CONFIG=str(tmp_path / "config.toml"), TUTOR_DATA_DIR=str(tmp_path / "data"))
    env.update(extra)
    return env


def _run(
    args: list[str], env: dict[str, str], timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)


def test_install_refuses_a_kernel_python_that_is_not_an_interpreter(tmp_path: Path) -> None:
    done = _run(
        ["bash", str(SCRIPTS / "install.sh"), "--kernel-python", str(tmp_path / "nope")],
        _env(tmp_path),
    )
    assert done.returncode == 2
    assert "is not an executable interpreter" in done.stderr
    assert not (tmp_path / "config.toml").exists()


def test_install_refuses_a_kernel_python_without_torch(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    done = _run(["bash", str(SCRIPTS / "install.sh"), "--kernel-python", str(fake)], _env(tmp_path))
    assert done.returncode == 2
    assert "cannot import torch" in done.stderr


def test_install_rejects_unknown_options(tmp_path: Path) -> None:
    done = _run(["bash", str(SCRIPTS / "install.sh"), "--torch", "rocm"], _env(tmp_path))
    assert done.returncode == 2
    assert "--torch must be auto, cpu, cuda or none" in done.stderr


def test_the_test_command_never_installs_into_the_users_venv() -> None:
    script = (SCRIPTS / "test.sh").read_text()
    commands = [line for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert "venv=.venv-test" in commands
    assert not any(".venv/" in line or line.rstrip().endswith(".venv") for line in commands)


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheelhouse of the tutor and its dependencies for this platform (needs PyPI)."""
    out = tmp_path_factory.mktemp("wheelhouse")
    tmp = tmp_path_factory.mktemp("wh-env")
    done = _run(
        ["bash", str(SCRIPTS / "wheelhouse.sh"), str(out)],
        {**_env(tmp), **{k: v for k, v in os.environ.items() if k.startswith("PIP_")}},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert list(out.glob("la4ml_tutor-*.whl")), "the tutor's own wheel is missing"
    return out


@pytest.mark.slow
def test_offline_install_from_the_wheelhouse_needs_no_index(
    wheelhouse: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    # No index and no find-links of pip's own config: only the wheelhouse can supply packages.
    env = _env(tmp_path, PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
    done = _run(
        [
            "bash",
            str(SCRIPTS / "install.sh"),
            "--venv",
            str(venv),
            "--wheelhouse",
            str(wheelhouse),
            "--torch",
            "none",
        ],
        env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    shown = _run([str(venv / "bin" / "tutor"), "show", "1.ex1"], env, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "1.ex1  Geometry" in shown.stdout


@pytest.mark.slow
def test_gpu_box_path_points_the_kernel_at_the_users_torch_and_leaves_it_alone(
    wheelhouse: Path, tmp_path: Path
) -> None:
    """The user's torch environment (here: the interpreter running the tests) is only read."""
    user_python = Path(sys.executable)
    pytest.importorskip("torch")
    freeze = [str(user_python), "-m", "pip", "freeze", "--all"]
    before = _run(freeze, _env(tmp_path)).stdout
    venv = tmp_path / "venv"
    env = _env(tmp_path, PIP_CONFIG_FILE=os.devnull)
    done = _run(
        [
            "bash",
            str(SCRIPTS / "install.sh"),
            "--venv",
            str(venv),
            "--wheelhouse",
            str(wheelhouse),
            "--kernel-python",
            str(user_python),
        ],
        env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    config = (tmp_path / "config.toml").read_text()
    assert f'python = "{user_python}"' in config
    import torch

    assert f"torch (kernel)  {torch.__version__}" in done.stdout  # `tutor doctor` ran on that env
    assert "CUDA" in done.stdout
    tutor_env = _run([str(venv / "bin" / "python"), "-c", "import torch"], env)
    assert tutor_env.returncode != 0, "the tutor's own environment should not get a torch"
    assert _run(freeze, _env(tmp_path)).stdout == before
