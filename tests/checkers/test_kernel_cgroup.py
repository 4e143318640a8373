"""A root tutor limits each kernel with its own pids cgroup, and never leaves one behind."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkers.kernel import Kernel, KernelConfig
from checkers.kernel import cgroup as pids_cgroup
from checkers.kernel.cgroup import CgroupError, PidsCgroup
from checkers.kernel.launch import KERNEL_TASKS

CONFIG = KernelConfig(timeout=1.0, grace=0.3, memory_mb=1024, processes=16, standby=False)


@pytest.fixture()
def kernel() -> Iterator[Kernel]:
    with Kernel(CONFIG) as k:
        if not k.cgroup:
            pytest.skip(f"no pids cgroup here (processes: {k.info.limits.get('processes')})")
        yield k


PROC_CGROUP = "12:pids:/a/b\n3:cpu,cpuacct:/\n0::/user.slice/app.scope\n"
RELATIVE = [
    (PROC_CGROUP, 1, "/a/b"),
    (PROC_CGROUP, 2, "/user.slice/app.scope"),
    ("3:cpu:/\n", 1, None),
    ("1:name=systemd:/\n", 2, None),
]


@pytest.mark.parametrize(("text", "version", "expected"), RELATIVE)
def test_own_cgroup_is_read_from_proc(text: str, version: int, expected: str | None) -> None:
    assert pids_cgroup._relative_path(text, version) == expected


V1 = "55 47 0:36 / /sys/fs/cgroup/pids rw,nosuid,relatime - cgroup cgroup rw,pids\n"
V1_CPU = "50 47 0:31 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
V2 = "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev - cgroup2 cgroup2 rw,nsdelegate\n"
PROC = "22 25 0:20 / /proc rw,nosuid - proc proc rw\n"
MOUNTS = [
    (V2 + V1, [("/sys/fs/cgroup/pids", 1), ("/sys/fs/cgroup", 2)]),
    (V2 + PROC, [("/sys/fs/cgroup", 2)]),
    (V1_CPU + PROC, []),
]


@pytest.mark.parametrize(
    ("mountinfo", "expected"), MOUNTS, ids=["hybrid", "cgroup2 only", "no pids"]
)
def test_pids_hierarchies_are_found_in_mountinfo(
    mountinfo: str, expected: list[tuple[str, int]]
) -> None:
    found = [(str(h.mount), h.version) for h in pids_cgroup._hierarchies(mountinfo)]
    assert found == expected


V2_CASES = [
    ("cpu memory", "", "not available"),
    ("cpu pids", "pids", ""),
    ("pids", "", ""),
]


@pytest.mark.parametrize(
    ("controllers", "enabled", "error"), V2_CASES, ids=["no pids", "enabled", "enable it"]
)
def test_cgroup2_pids_controller_is_enabled_for_children(
    tmp_path: Path, controllers: str, enabled: str, error: str
) -> None:
    (tmp_path / "cgroup.controllers").write_text(controllers)
    (tmp_path / "cgroup.subtree_control").write_text(enabled)
    if error:
        with pytest.raises(CgroupError, match=error):
            pids_cgroup._enable_pids_v2(tmp_path)
        return
    pids_cgroup._enable_pids_v2(tmp_path)
    assert "pids" in (tmp_path / "cgroup.subtree_control").read_text()


def test_kernel_runs_in_its_own_limited_cgroup(kernel: Kernel) -> None:
    group = Path(kernel.cgroup)
    limit = CONFIG.processes + KERNEL_TASKS + 2 * CONFIG.threads
    assert group.name.startswith(f"tutor-kernel-{os.getpid()}-")
    assert int((group / "pids.max").read_text()) == limit
    assert kernel.info.pid in [int(p) for p in (group / "cgroup.procs").read_text().split()]
    assert kernel.info.limits["processes"] == limit
    assert (
        kernel.info.process_limit.startswith("pids cgroup (v")
        and f"max {limit}" in kernel.info.process_limit
    )
    assert "processes limit" not in " ".join(kernel.sandbox_level.missing)


def test_cgroup_removed_after_close() -> None:
    with Kernel(CONFIG) as k:
        group = k.cgroup
        if not group:
            pytest.skip("no pids cgroup here")
        k.execute(
            "import subprocess; p = subprocess.Popen(['sleep', '300'], start_new_session=True)"
        )
    assert not Path(group).exists()
    assert Path(group) not in pids_cgroup.ours()


def test_cgroup_replaced_after_a_timeout_kill(kernel: Kernel) -> None:
    first = kernel.cgroup
    result = kernel.execute(
        "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
    )
    assert result.status == "timeout" and result.restarted
    assert not Path(first).exists()
    assert kernel.cgroup != first and Path(kernel.cgroup).is_dir()
    assert kernel.execute("6 * 7").value == "42"


def test_stale_cgroups_of_dead_tutors_are_removed_and_others_kept(kernel: Kernel) -> None:
    parent = Path(kernel.cgroup).parent
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = parent / f"tutor-kernel-{dead.pid}-1"
    stranger = parent / f"not-a-tutor-{os.getpid()}"
    stale.mkdir()
    stranger.mkdir()
    orphan = subprocess.Popen(["sleep", "300"])
    try:
        (stale / "cgroup.procs").write_text(str(orphan.pid))
        assert pids_cgroup.clean_stale(parent) >= 1  # other dead tutors' cgroups may go too
        assert orphan.wait(timeout=5) == -9
        assert not stale.exists()
        assert stranger.is_dir() and Path(kernel.cgroup).is_dir()  # others and live tutors' kept
    finally:
        orphan.kill()
        for path in (stale, stranger):
            if path.exists():
                path.rmdir()


def test_without_a_pids_cgroup_the_unprivileged_worker_is_held_by_rlimit_nproc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A root tutor's worker runs as nobody, so RLIMIT_NPROC binds it even with no cgroup at all.
    def refuse(limit: int) -> PidsCgroup:
        raise CgroupError("the pids controller is not available in /test")

    monkeypatch.setattr(pids_cgroup, "create", refuse)
    with Kernel(CONFIG) as k:
        assert k.cgroup == ""
        assert k.info.uid != 0
        assert isinstance(k.info.limits["processes"], int)
        assert k.info.process_limit.startswith("RLIMIT_NPROC")
        layer = next(layer for layer in k.sandbox_level.layers if layer.name == "processes")
        assert layer.ok and layer.detail.startswith("RLIMIT_NPROC")


def test_a_failed_join_is_reported_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root kernels get cgroups here")

    def refuse(self: PidsCgroup, pid: int) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(PidsCgroup, "add", refuse)
    from checkers.kernel import KernelError

    with pytest.raises(KernelError, match="refusing to run code.*memory limit"):
        Kernel(CONFIG).start()  # strict: no memory cgroup joined, no kernel
    relaxed = KernelConfig(**{**CONFIG.__dict__, "isolation": "relaxed"})
    with Kernel(relaxed) as k:
        if not k.cgroup:
            pytest.skip("no pids cgroup here")
        reason = k.info.limits["processes"]
        assert (
            reason.startswith("not enforced: the kernel did not join")
            and "Permission denied" in reason
        )
        assert k.sandbox_level.name != "full" and k.info.process_limit == ""
        assert any(
            item.startswith("memory limit: per process only") for item in k.sandbox_level.missing
        )
        assert k.execute("6 * 7").value == "42"


def test_kill_all_empties_a_busy_cgroup(kernel: Kernel) -> None:
    group = PidsCgroup.existing(Path(kernel.cgroup))
    results = []
    busy = "import subprocess, time\nsubprocess.Popen(['sleep', '300'])\ntime.sleep(0.8)"
    runner = threading.Thread(target=lambda: results.append(kernel.execute(busy)))
    runner.start()
    deadline = time.monotonic() + 5
    while len(group.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert kernel.info.pid in group.pids() and len(group.pids()) >= 2  # the worker, its child
    started = time.monotonic()
    assert group.kill_all()
    assert group.pids() == [] and time.monotonic() - started < 2
    runner.join()
    assert results[0].status == "crashed" and results[0].restarted


def test_learner_code_cannot_leave_its_cgroup(kernel: Kernel) -> None:
    if not kernel.info.pid_namespace:
        pytest.skip("no namespaces: no private root (reported as missing)")
    root = Path(kernel.cgroup).parent / "cgroup.procs"
    code = f"import os\nopen({str(root)!r}, 'w').write(str(os.getpid()))"
    result = kernel.execute(code)
    # The private root has no /sys at all, and the worker is not root anyway.
    assert result.exception in ("FileNotFoundError", "PermissionError"), result
    remount = (
        "import subprocess\nsubprocess.run(['mount', '-t', 'cgroup', 'none', '/tmp'], check=True)"
    )
    assert kernel.execute(remount).status == "error"
    assert kernel.info.pid in PidsCgroup.existing(Path(kernel.cgroup)).pids()


def test_a_root_tutor_in_a_busy_cgroup2_falls_back_to_the_hierarchy_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Like a CI runner's service cgroup: it holds processes, so it cannot enable controllers.
    mount = tmp_path / "cgroup"
    mount.mkdir()
    (mount / "cgroup.subtree_control").write_text("cpu memory pids")
    hierarchy = pids_cgroup._Hierarchy(mount, 2)

    def busy(h: object, controller: str = "pids") -> Path:
        raise CgroupError("cannot enable pids in /system.slice/runner: Device or resource busy")

    monkeypatch.setattr(
        pids_cgroup, "_hierarchies", lambda mountinfo=None, controller="pids": [hierarchy]
    )
    monkeypatch.setattr(pids_cgroup, "_parent_dir", busy)
    monkeypatch.setattr(pids_cgroup.os, "geteuid", lambda: 0)
    reasons: list[str] = []
    assert pids_cgroup._parents("pids", reasons) == [(hierarchy, mount)]
    assert "busy" in reasons[0]
    # The machine's own root is never reconfigured: a controller it does not hand out is refused.
    (mount / "cgroup.subtree_control").write_text("cpu")
    reasons.clear()
    assert pids_cgroup._parents("pids", reasons) == []
    assert "left as it is" in reasons[-1]
    assert (mount / "cgroup.subtree_control").read_text() == "cpu"
