"""A per-kernel pids cgroup: the process limit that still holds when the kernel runs as root.

Root ignores RLIMIT_NPROC, so a root tutor puts each worker in a cgroup of its own with `pids.max`
set. The parent moves the worker in before the worker runs any learner code (see
`process._serve_join`), so every process and thread learner code creates is counted and can be
found again: closing the kernel kills every pid in the cgroup and removes it. Only cgroups named
`tutor-kernel-<tutor pid>-<n>` are ever touched.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PREFIX = "tutor-kernel-"
_NAME = re.compile(rf"^{PREFIX}(\d+)-(\d+)$")
_COUNTER = itertools.count(1)
_COUNTER_LOCK = threading.Lock()
_CLEANED: set[Path] = set()
_CLEAN_LOCK = threading.Lock()


class CgroupError(OSError):
    """No pids cgroup could be made; the message says why (for the sandbox report)."""


@dataclass(frozen=True)
class PidsCgroup:
    """One kernel's cgroup: where it lives, the cgroup version and its `pids.max`."""

    path: Path
    version: int
    limit: int

    @classmethod
    def existing(cls, path: Path) -> PidsCgroup:
        """A handle on a kernel cgroup found on disk (its limit is not needed to remove it)."""
        return cls(path, 1 if (path / "tasks").exists() else 2, 0)

    @property
    def procs_file(self) -> Path:
        return self.path / "cgroup.procs"

    def add(self, pid: int) -> None:
        """Move process `pid` (all its threads) into this cgroup; raises OSError."""
        self.procs_file.write_text(str(pid))

    def describe(self) -> str:
        """How the limit is enforced, for `Kernel.sandbox_level` and `tutor doctor`."""
        return f"pids cgroup (v{self.version}), max {self.limit}"

    def pids(self) -> list[int]:
        """Processes (thread-group leaders) now in the cgroup; empty once it is gone."""
        try:
            text = self.procs_file.read_text()
        except OSError:
            return []
        return [int(line) for line in text.split()]

    def current(self) -> int:
        """Tasks (processes and threads) the cgroup counts against `pids.max`."""
        try:
            return int((self.path / "pids.current").read_text())
        except (OSError, ValueError):
            return 0

    def kill_all(self, timeout: float = 3.0) -> bool:
        """SIGKILL every process in the cgroup until it is empty; False if some outlived `timeout`."""
        kill_file = self.path / "cgroup.kill"
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            if time.monotonic() > deadline:
                return False
            if self.version == 2 and kill_file.exists():
                try:
                    kill_file.write_text("1")
                except OSError:
                    pass
            for pid in pids:
                _kill_member(pid, self.path)
            time.sleep(0.01)

    def remove(self, timeout: float = 3.0) -> bool:
        """Kill what is left, then delete the cgroup; True once it is gone."""
        self.kill_all(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.path.rmdir()
                return True
            except FileNotFoundError:
                return True
            except OSError as exc:
                # EBUSY while killed tasks are still exiting; a late fork may need one more kill.
                if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                    return False
                self.kill_all(0.5)
                time.sleep(0.01)


def _kill_member(pid: int, cgroup: Path) -> None:
    """SIGKILL `pid` only if, seen through a pidfd, it is still in `cgroup` (never a recycled pid)."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        # Read after opening the pidfd: if `pid` was recycled meanwhile, the signal below hits
        # the dead original (ESRCH), never the newcomer.
        if _cgroup_dir_of(pid) == cgroup:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(fd)


def _cgroup_dir_of(pid: int) -> Path | None:
    try:
        text = Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return None
    for hierarchy in _hierarchies():
        relative = _relative_path(text, hierarchy.version)
        if relative is not None and (hierarchy.mount / relative.lstrip("/")).is_dir():
            candidate = hierarchy.mount / relative.lstrip("/")
            if candidate.name.startswith(PREFIX):
                return candidate
    return None


@dataclass(frozen=True)
class _Hierarchy:
    mount: Path
    version: int


def _hierarchies(mountinfo: str | None = None) -> list[_Hierarchy]:
    """Mounted hierarchies that can hold a pids controller: cgroup v1 `pids` first, then cgroup2."""
    found: list[_Hierarchy] = []
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return found
    for line in mountinfo.splitlines():
        before, _, after = line.partition(" - ")
        fields, extra = before.split(), after.split()
        if len(fields) < 5 or len(extra) < 3:
            continue
        mount = Path(fields[4].replace("\\040", " "))
        if extra[0] == "cgroup" and "pids" in extra[2].split(","):
            found.insert(0, _Hierarchy(mount, 1))
        elif extra[0] == "cgroup2":
            found.append(_Hierarchy(mount, 2))
    return found


def _relative_path(proc_cgroup: str, version: int) -> str | None:
    """This process's cgroup inside the hierarchy, from /proc/<pid>/cgroup."""
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if version == 2 and parts[0] == "0" and parts[1] == "":
            return parts[2]
        if version == 1 and "pids" in parts[1].split(","):
            return parts[2]
    return None


def _parent_dir(hierarchy: _Hierarchy) -> Path:
    """Where this tutor may create kernel cgroups in `hierarchy`; raises CgroupError with the reason."""
    relative = _relative_path(Path("/proc/self/cgroup").read_text(), hierarchy.version)
    if relative is None:
        raise CgroupError(f"this process is in no cgroup of {hierarchy.mount}")
    parent = hierarchy.mount / relative.lstrip("/")
    if hierarchy.version == 2:
        _enable_pids_v2(parent)
    if not os.access(parent, os.W_OK):
        raise CgroupError(f"{parent} is not writable")
    return parent


def _enable_pids_v2(parent: Path) -> None:
    try:
        controllers = (parent / "cgroup.controllers").read_text().split()
    except OSError as exc:
        raise CgroupError(f"cannot read {parent / 'cgroup.controllers'}: {exc.strerror}") from exc
    if "pids" not in controllers:
        raise CgroupError(f"the pids controller is not available in {parent}")
    control = parent / "cgroup.subtree_control"
    if "pids" in control.read_text().split():
        return
    try:
        control.write_text("+pids")
    except OSError as exc:
        # A non-root cgroup that holds processes cannot enable controllers for its children.
        raise CgroupError(f"cannot enable pids in {control}: {exc.strerror}") from exc


def create(limit: int) -> PidsCgroup:
    """A fresh cgroup below this tutor's own with `pids.max = limit`; raises CgroupError."""
    reasons: list[str] = []
    for hierarchy in _hierarchies():
        try:
            parent = _parent_dir(hierarchy)
        except (CgroupError, OSError) as exc:
            reasons.append(str(exc))
            continue
        _clean_once(parent)
        with _COUNTER_LOCK:
            name = f"{PREFIX}{os.getpid()}-{next(_COUNTER)}"
        path = parent / name
        try:
            path.mkdir()
        except OSError as exc:
            reasons.append(f"cannot create {path}: {exc.strerror}")
            continue
        try:
            (path / "pids.max").write_text(str(limit))
        except OSError as exc:
            path.rmdir()
            reasons.append(f"cannot set {path / 'pids.max'}: {exc.strerror}")
            continue
        return PidsCgroup(path, hierarchy.version, limit)
    if not reasons:
        reasons.append("no cgroup hierarchy with the pids controller is mounted")
    raise CgroupError("; ".join(reasons))


def _clean_once(parent: Path) -> None:
    with _CLEAN_LOCK:
        if parent in _CLEANED:
            return
        _CLEANED.add(parent)
    clean_stale(parent)


def clean_stale(parent: Path) -> int:
    """Kill and remove kernel cgroups in `parent` left by tutors that died; returns how many."""
    removed = 0
    try:
        entries = list(parent.iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = _NAME.match(entry.name)
        if match is None or not entry.is_dir() or _alive(int(match.group(1))):
            continue
        if PidsCgroup.existing(entry).remove(timeout=1.0):
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie tutor has exited: its cgroups are stale)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2 :][:1] != b"Z"


def ours(parent_pid: int | None = None) -> list[Path]:
    """Kernel cgroups this tutor (or `parent_pid`) created that still exist, in every hierarchy."""
    owner = os.getpid() if parent_pid is None else parent_pid
    found: list[Path] = []
    for hierarchy in _hierarchies():
        try:
            relative = _relative_path(Path("/proc/self/cgroup").read_text(), hierarchy.version)
        except OSError:
            continue
        if relative is None:
            continue
        parent = hierarchy.mount / relative.lstrip("/")
        try:
            entries = list(parent.iterdir())
        except OSError:
            continue
        for entry in entries:
            match = _NAME.match(entry.name)
            if match is not None and int(match.group(1)) == owner and entry.is_dir():
                found.append(entry)
    return found


def relative_name(cgroup: PidsCgroup) -> str:
    """The cgroup's path as /proc/<pid>/cgroup shows it (for the worker to check it joined)."""
    for hierarchy in _hierarchies():
        if hierarchy.version == cgroup.version:
            try:
                return "/" + str(cgroup.path.relative_to(hierarchy.mount))
            except ValueError:
                continue
    return ""


def remove_ours() -> int:
    """Kill and remove every kernel cgroup this tutor still has (at exit: warm standbys too)."""
    return sum(PidsCgroup.existing(path).remove(timeout=1.0) for path in ours())
