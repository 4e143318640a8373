"""What a kernel can see: its private root, the NVIDIA nodes a CUDA kernel gets, another venv.

No GPU here: the CUDA part shows, on a fake /dev tree, which device files and driver folders a
torch kernel's view binds. Nothing here signals or touches processes outside the kernels it makes.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkers.kernel import Kernel, KernelConfig, launch
from checkers.kernel.confine import nvidia_paths

REPO = Path(__file__).resolve().parents[2]
CONFIG = KernelConfig(timeout=10.0, memory_mb=2048, standby=False)
LISTING = """
import json, os
print(json.dumps({"root": sorted(os.listdir("/")), "dev": sorted(os.listdir("/dev")),
                  "etc": sorted(os.listdir("/etc")), "tmp": sorted(os.listdir("/tmp")),
                  "passwd": open("/etc/passwd").read(), "cwd": os.getcwd(), "uid": os.getuid()}))
"""


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    with Kernel(CONFIG) as k:
        if not k.sandbox_level.full:
            pytest.skip(f"no private root here: {k.sandbox_level}")
        yield k


def _view(kernel: Kernel) -> dict[str, Any]:
    result = kernel.execute(LISTING)
    assert result.ok, result.error
    return json.loads(result.stdout)


def test_the_view_holds_only_what_the_interpreter_needs(kernel: Kernel) -> None:
    view = _view(kernel)
    prefixes = {sys.prefix, sys.base_prefix, os.path.realpath(sys.executable)}
    tops = {Path(p).parts[1] for p in prefixes}
    assert set(view["root"]) <= {
        "usr",
        "bin",
        "sbin",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "etc",
        "proc",
        "dev",
        "tmp",
        *tops,
    }
    assert view["dev"] == sorted(
        ["null", "zero", "full", "random", "urandom", "fd", "stdin", "stdout", "stderr", "shm"]
    )
    assert "shadow" not in view["etc"] and "ssh" not in view["etc"]
    assert view["passwd"].startswith("learner:x:") and "root:" not in view["passwd"]
    assert view["uid"] != 0 and view["cwd"] == kernel.home_dir
    # Host /tmp is not there: only the kernel's own shared folder, and the folders an interpreter
    # prefix sits in when it lives under /tmp (a clone there with its virtual environment).
    under_tmp = {Path(p).relative_to("/tmp").parts[0] for p in prefixes if p.startswith("/tmp/")}
    assert sorted(view["tmp"]) == sorted({Path(kernel.scratch_dir).name, *under_tmp})


@pytest.mark.parametrize(
    "path",
    [
        str(REPO / "content"),
        str(REPO / "checkers"),
        os.path.expanduser("~/.ssh"),
        "/run",
        "/var",
        "/home",
        "/sys",
        "/dev/pts",
        "/dev/tty",
    ],
)
def test_hidden_paths_do_not_exist_inside(kernel: Kernel, path: str) -> None:
    assert kernel.execute(f"import os; os.path.exists({path!r})").value == "False"


def test_the_tutors_own_packages_cannot_be_imported(kernel: Kernel) -> None:
    for module in ("checkers", "tutor", "content", "progress"):
        assert kernel.execute(f"import {module}").exception == "ModuleNotFoundError"


def test_the_shared_folder_is_read_only_and_home_is_a_capped_tmpfs(kernel: Kernel) -> None:
    shared = kernel.execute(f"open({os.path.join(kernel.scratch_dir, 'x')!r}, 'w')")
    assert shared.exception in ("OSError", "PermissionError")
    mounts = kernel.execute("print(open('/proc/self/mountinfo').read())").stdout
    home_line = next(line for line in mounts.splitlines() if f" {kernel.home_dir} " in line)
    assert " - tmpfs " in home_line


def _make_fake_dev(base: Path) -> tuple[Path, Path, Path]:
    dev, proc, nvidia_root = base / "dev", base / "proc", base / "usr-local-nvidia"
    (dev / "nvidia-caps").mkdir(parents=True)
    (proc / "driver" / "nvidia").mkdir(parents=True)
    nvidia_root.mkdir()
    for name, minor in (
        ("nvidia0", 0),
        ("nvidia1", 1),
        ("nvidiactl", 255),
        ("nvidia-uvm", 0),
        ("nvidia-uvm-tools", 1),
        ("nvidia-modeset", 254),
        ("null", 3),
    ):
        os.mknod(
            dev / name, stat.S_IFCHR | 0o666, os.makedev(195 if "nvidia" in name else 1, minor)
        )
    os.mknod(dev / "nvidia-caps" / "nvidia-cap1", stat.S_IFCHR | 0o400, os.makedev(511, 1))
    (dev / "nvidia-notes.txt").write_text("a regular file is never bound")
    return dev, proc, nvidia_root


@pytest.mark.skipif(os.geteuid() != 0, reason="making character device nodes needs root")
def test_a_cuda_view_binds_the_nvidia_nodes_and_driver_folders(tmp_path: Path) -> None:
    dev, proc, nvidia_root = _make_fake_dev(tmp_path)
    found = nvidia_paths(str(dev), str(proc), roots=(str(nvidia_root), str(tmp_path / "absent")))
    assert found == [
        str(dev / "nvidia-modeset"),
        str(dev / "nvidia-uvm"),
        str(dev / "nvidia-uvm-tools"),
        str(dev / "nvidia0"),
        str(dev / "nvidia1"),
        str(dev / "nvidiactl"),
        str(dev / "nvidia-caps" / "nvidia-cap1"),
        str(nvidia_root),
        "/sys",
    ]


def test_no_nvidia_device_means_nothing_to_bind(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    assert nvidia_paths(str(tmp_path / "dev"), str(tmp_path / "proc")) == []


def test_only_torch_kernels_get_the_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("checkers.kernel.confine.nvidia_paths", lambda dev="/dev": ["/dev/nvidia0"])
    assert launch.gpu_devices(KernelConfig()) == []
    assert launch.gpu_devices(KernelConfig(optional_preload=("torch",))) == ["/dev/nvidia0"]
    assert KernelConfig(optional_preload=("torch",)).uses_cuda and not KernelConfig().uses_cuda


@pytest.fixture(scope="module")
def other_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second environment, as a GPU box's own torch venv would be: its own interpreter and
    prefix, reaching numpy and torch through a .pth line (not through the tutor's venv path)."""
    folder = tmp_path_factory.mktemp("other") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    site = next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix))
    (next(folder.glob("lib/python*/site-packages")) / "borrowed.pth").write_text(site + "\n")
    return folder / "bin" / "python"


def test_another_interpreter_runs_in_its_own_view(other_venv: Path) -> None:
    config = KernelConfig(python=str(other_venv), memory_mb=2048, standby=False)
    with Kernel(config) as k:
        assert k.sandbox_level.full, k.sandbox_level
        assert k.info.executable == str(other_venv)
        result = k.execute("import numpy, sys; print(sys.prefix, numpy.ones(2).sum())")
        assert result.ok and result.stdout.split() == [str(other_venv.parent.parent), "2.0"]


def test_exercise_19_grades_under_another_interpreter(other_venv: Path, tmp_path: Path) -> None:
    solution = REPO / "tests" / "fixtures" / "solutions" / "1.ex19" / "good.py"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tutor",
            "check",
            "1.ex19",
            "--file",
            str(solution),
            "--json",
            "--no-record",
            "--python",
            str(other_venv),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        env={**os.environ, "TUTOR_CONFIG": str(tmp_path / "none.toml")},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["correct"] and report["sandbox"]["level"] == "full"


def test_a_killed_tutors_folder_is_removed_by_the_next(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        from checkers.kernel import Kernel, KernelConfig
        k = Kernel(KernelConfig(memory_mb=1024, standby=False)).start()
        print(k.scratch_dir, flush=True)
        k.request({"op": "exec", "code": "while True: pass"}, timeout=60)
        """
    )
    tutor = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert tutor.stdout is not None
    folder = Path(tutor.stdout.readline().strip())
    assert folder.is_dir()
    tutor.send_signal(signal.SIGKILL)
    tutor.wait()
    tutor.stdout.close()
    deadline = time.monotonic() + 5
    launch._STALE_SWEPT.clear()
    launch.sweep_stale_scratch()
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
        launch._STALE_SWEPT.clear()
        launch.sweep_stale_scratch()
    assert not folder.exists()


def test_strict_refuses_a_kernel_missing_a_layer_and_says_how_to_opt_in() -> None:
    from checkers.kernel import KernelError

    with pytest.raises(KernelError) as caught:
        Kernel(KernelConfig(landlock=False, standby=False)).start()
    message = str(caught.value)
    assert "refusing to run code" in message and "Landlock: turned off" in message
    assert 'kernel.isolation = "relaxed"' in message


def test_relaxed_runs_and_reports_exactly_what_is_missing() -> None:
    with Kernel(KernelConfig(landlock=False, isolation="relaxed", standby=False)) as k:
        level = k.sandbox_level
        assert level.name == "partial" and not level.full
        assert level.missing == ("Landlock: turned off",)
        report = level.as_dict()
        assert report["layers"]["Landlock"] == {"ok": False, "detail": "turned off"}
        assert all(layer["ok"] for name, layer in report["layers"].items() if name != "Landlock")
        assert k.execute("1 + 1").value == "2"


def _cuda_device() -> bool:
    return any(Path("/dev").glob("nvidia[0-9]*"))


@pytest.mark.gpu
@pytest.mark.skipif(not _cuda_device(), reason="no NVIDIA device on this machine")
def test_cuda_works_inside_the_private_root() -> None:
    config = KernelConfig(optional_preload=("torch",), memory_mb=0, timeout=120.0, standby=False)
    with Kernel(config) as k:
        assert k.sandbox_level.full, k.sandbox_level
        code = (
            "import torch, os\n"
            "x = torch.ones(256, 256, device='cuda')\n"
            "torch.cuda.synchronize()\n"
            "print(torch.cuda.is_available(), float((x @ x)[0, 0]), sorted(os.listdir('/dev')))"
        )
        result = k.execute(code, timeout=120)
        assert result.ok, result.error
        available, value, devices = result.stdout.split(" ", 2)
        assert available == "True" and float(value) == 256.0
        assert "nvidiactl" in devices and "nvidia0" in devices


def test_strict_says_how_to_opt_in_when_the_sandbox_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from checkers.kernel import KernelError

    # A device node that is not there: building the view fails in the bootstrap, before any code.
    monkeypatch.setattr(launch, "gpu_devices", lambda config: ["/dev/nvidia-not-here"])
    with pytest.raises(
        KernelError, match=r"refusing to run code: the sandbox cannot be built here"
    ) as caught:
        Kernel(KernelConfig(standby=False)).start()
    assert "nvidia-not-here" in str(caught.value) and 'kernel.isolation = "relaxed"' in str(
        caught.value
    )


@pytest.mark.gpu
@pytest.mark.skipif(not _cuda_device(), reason="no NVIDIA device on this machine")
def test_lab_1_2_gpu_timing_under_another_interpreter(other_venv: Path, tmp_path: Path) -> None:
    solution = REPO / "tests" / "fixtures" / "solutions" / "1.lab2" / "good.py"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tutor",
            "check",
            "1.lab2",
            "--file",
            str(solution),
            "--json",
            "--no-record",
            "--python",
            str(other_venv),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
        env={
            **os.environ,
            "TUTOR_CONFIG": str(tmp_path / "none.toml"),
            "TUTOR_KERNEL_MEMORY_MB": "0",
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    cuda = [test for test in report["tests"] if "cuda" in test["name"].lower()]
    assert cuda and all(test["passed"] for test in cuda), cuda
    assert report["sandbox"]["level"] == "full"


PLAIN = """
import json
from checkers.kernel import Kernel, KernelConfig
with Kernel(KernelConfig(standby=False, isolation="none")) as k:
    level = k.sandbox_level
    shadow = k.execute("open('/etc/shadow').read()").exception
    ok = {layer.name: layer.ok for layer in level.layers}
    print(json.dumps({"level": level.name, "ok": ok, "shadow": shadow}))
"""


def test_without_namespaces_an_ordinary_user_still_gets_landlock_and_no_capabilities(
    tmp_path: Path,
) -> None:
    from tests.checkers.test_attacks import NOBODY, _nobody_python

    python, why = _nobody_python()
    if why:
        pytest.skip(why)
    os.chmod(tmp_path, 0o777)
    done = subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            python,
            "-c",
            PLAIN,
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["level"] == "degraded"
    assert report["ok"]["identity"] and report["ok"]["landlock"] and report["ok"]["terminal"]
    assert not report["ok"]["filesystem"] and not report["ok"]["pid namespace"]
    assert report["shadow"] == "PermissionError"


def test_the_sweep_keeps_live_and_recent_folders_and_removes_abandoned_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launch.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()
    live = tmp_path / f"tutor-kernel-{os.getpid()}-live"
    gone = tmp_path / f"tutor-kernel-{dead.pid}-gone"
    old_recent = tmp_path / "tutor-kernel-ab12cd34"
    old_abandoned = tmp_path / "tutor-kernel-zz98yy76"
    stranger = tmp_path / "tutor-kernelish"
    for folder in (live, gone, old_recent, old_abandoned, stranger):
        (folder / "home").mkdir(parents=True)
    two_hours_ago = time.time() - 7200
    os.utime(old_abandoned, (two_hours_ago, two_hours_ago))
    launch._STALE_SWEPT.clear()
    launch.sweep_stale_scratch()
    assert live.is_dir() and old_recent.is_dir() and stranger.is_dir()
    assert not gone.exists() and not old_abandoned.exists()
