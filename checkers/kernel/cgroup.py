"""Per-kernel cgroups: a process limit (`pids`) and a memory limit for all of a kernel's processes.

Where this tutor may create cgroups (as root, or in a delegated cgroup2 subtree), each worker gets
a cgroup of its own per controller, with `pids.max` and the memory limit set. The parent moves the
worker in before the worker runs any learner code (see `launch.serve_join`), so every process and
thread learner code creates is counted, charged and can be found again: closing the kernel kills
every pid in its cgroups and removes them. Only cgroups named `tutor-kernel-<tutor pid>-<n>` are
ever touched.
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
    """One kernel's cgroup of one controller: where it lives, the cgroup version and its limit
    (`pids.max`, or bytes of memory for the memory controller)."""

    path: Path
    version: int
    limit: int
    controller: str = "pids"

    @classmethod
    def existing(cls, path: Path) -> PidsCgroup:
        """A handle on a kernel cgroup found on disk (its limit is not needed to remove it)."""
        controller = "memory" if (path / "memory.limit_in_bytes").exists() else "pids"
        return cls(path, 1 if (path / "tasks").exists() else 2, 0, controller)

    @property
    def procs_file(self) -> Path:
        return self.path / "cgroup.procs"

    def add(self, pid: int) -> None:
        """Move process `pid` (all its threads) into this cgroup; raises OSError."""
        self.procs_file.write_text(str(pid))

    def describe(self) -> str:
        """How the limit is enforced, for `Kernel.sandbox_level` and `tutor doctor`."""
        if self.controller == "memory":
            mib = self.limit // (1024 * 1024)
            return f"memory cgroup (v{self.version}), {mib} MiB for all its processes"
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
        """SIGKILL each process in the cgroup until it is empty; False if some outlive `timeout`."""
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
                _kill_member(pid, self.path, self.controller)
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


def _kill_member(pid: int, cgroup: Path, controller: str = "pids") -> None:
    """SIGKILL `pid` if, through a pidfd, it is still in `cgroup` (never a reused pid)."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        # Read after opening the pidfd: if `pid` was recycled meanwhile, the signal below hits
        # the dead original (ESRCH), never the newcomer.
        if _cgroup_dir_of(pid, controller) == cgroup:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(fd)


def _cgroup_dir_of(pid: int, controller: str = "pids") -> Path | None:
    try:
        text = Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return None
    for hierarchy in _hierarchies(controller=controller):
        relative = _relative_path(text, hierarchy.version, controller)
        if relative is not None and (hierarchy.mount / relative.lstrip("/")).is_dir():
            candidate = hierarchy.mount / relative.lstrip("/")
            if candidate.name.startswith(PREFIX):
                return candidate
    return None


@dataclass(frozen=True)
class _Hierarchy:
    mount: Path
    version: int


def _hierarchies(mountinfo: str | None = None, controller: str = "pids") -> list[_Hierarchy]:
    """Mounted hierarchies that can hold `controller`: its cgroup v1 one first, then cgroup2."""
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
        if extra[0] == "cgroup" and controller in extra[2].split(","):
            found.insert(0, _Hierarchy(mount, 1))
        elif extra[0] == "cgroup2":
            found.append(_Hierarchy(mount, 2))
    return found


def _relative_path(proc_cgroup: str, version: int, controller: str = "pids") -> str | None:
    """This process's cgroup inside the hierarchy, from /proc/<pid>/cgroup."""
    for line in proc_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if version == 2 and parts[0] == "0" and parts[1] == "":
            return parts[2]
        if version == 1 and controller in parts[1].split(","):
            return parts[2]
    return None


def _parent_dir(hierarchy: _Hierarchy, controller: str = "pids") -> Path:
    """Where this tutor may create kernel cgroups in `hierarchy`; CgroupError says why not."""
    relative = _relative_path(Path("/proc/self/cgroup").read_text(), hierarchy.version, controller)
    if relative is None:
        raise CgroupError(f"this process is in no cgroup of {hierarchy.mount}")
    parent = hierarchy.mount / relative.lstrip("/")
    if hierarchy.version == 2:
        _enable_v2(parent, controller)
    if not os.access(parent, os.W_OK):
        raise CgroupError(f"{parent} is not writable")
    return parent


def _enable_pids_v2(parent: Path) -> None:
    _enable_v2(parent, "pids")


def _enable_v2(parent: Path, controller: str) -> None:
    try:
        controllers = (parent / "cgroup.controllers").read_text().split()
    except OSError as exc:
        raise CgroupError(f"cannot read {parent / 'cgroup.controllers'}: {exc.strerror}") from exc
    if controller not in controllers:
        raise CgroupError(f"the {controller} controller is not available in {parent}")
    control = parent / "cgroup.subtree_control"
    if controller in control.read_text().split():
        return
    try:
        control.write_text(f"+{controller}")
    except OSError as exc:
        # A non-root cgroup that holds processes cannot enable controllers for its children.
        raise CgroupError(f"cannot enable {controller} in {control}: {exc.strerror}") from exc


def create(limit: int) -> PidsCgroup:
    """A fresh cgroup below this tutor's own with `pids.max = limit`; raises CgroupError."""
    return _create("pids", limit, {"pids.max": str(limit)})


def create_memory(limit_bytes: int, beside: PidsCgroup | None = None) -> PidsCgroup:
    """A fresh memory cgroup below this tutor's own: `limit_bytes` of RAM for all its processes
    together, and no swap beyond it; raises CgroupError. With cgroup2 a process is in one cgroup
    only, so the limit goes into `beside` (the kernel's pids cgroup) when that is a cgroup2 one."""
    v1 = {
        "memory.limit_in_bytes": str(limit_bytes),
        "memory.memsw.limit_in_bytes?": str(limit_bytes),
    }
    v2 = {"memory.max": str(limit_bytes), "memory.swap.max?": "0"}
    if beside is not None and beside.version == 2:
        roots = {h.mount for h in _hierarchies(controller="memory") if h.version == 2}
        if beside.path.parent in roots:
            _require_enabled(beside.path.parent, "memory")
        else:
            _enable_v2(beside.path.parent, "memory")
        error = _write_settings(beside.path, v2)
        if error:
            raise CgroupError(error)
        return PidsCgroup(beside.path, 2, limit_bytes, "memory")
    return _create("memory", limit_bytes, v1, v2)


def _create(
    controller: str, limit: int, settings: dict[str, str], v2: dict[str, str] | None = None
) -> PidsCgroup:
    reasons: list[str] = []
    for hierarchy, parent in _parents(controller, reasons):
        _clean_once(parent)
        with _COUNTER_LOCK:
            name = f"{PREFIX}{os.getpid()}-{next(_COUNTER)}"
        path = parent / name
        try:
            path.mkdir()
        except OSError as exc:
            reasons.append(f"cannot create {path}: {exc.strerror}")
            continue
        error = _write_settings(path, settings if hierarchy.version == 1 or v2 is None else v2)
        if error:
            path.rmdir()
            reasons.append(error)
            continue
        return PidsCgroup(path, hierarchy.version, limit, controller)
    if not reasons:
        reasons.append(f"no cgroup hierarchy with the {controller} controller is mounted")
    raise CgroupError("; ".join(reasons))


def _parents(controller: str, reasons: list[str]) -> list[tuple[_Hierarchy, Path]]:
    """Folders a kernel cgroup of `controller` may go in, best first; `reasons` gets why not.

    Below this tutor's own cgroup first. A cgroup2 one that holds processes cannot hand
    controllers to children (systemd services, CI runners), so a root tutor then uses the
    hierarchy's root, which may."""
    found: list[tuple[_Hierarchy, Path]] = []
    for hierarchy in _hierarchies(controller=controller):
        try:
            found.append((hierarchy, _parent_dir(hierarchy, controller)))
            continue
        except (CgroupError, OSError) as exc:
            reasons.append(str(exc))
        if hierarchy.version == 2 and os.geteuid() == 0:
            try:
                _require_enabled(hierarchy.mount, controller)
                found.append((hierarchy, hierarchy.mount))
            except (CgroupError, OSError) as exc:
                reasons.append(str(exc))
    return found


def _require_enabled(parent: Path, controller: str) -> None:
    """CgroupError unless `controller` is already on for `parent`'s children (the machine's own
    cgroup root is never reconfigured)."""
    control = parent / "cgroup.subtree_control"
    if controller not in control.read_text().split():
        raise CgroupError(f"{controller} is not enabled in {control} (left as it is)")


def _write_settings(path: Path, settings: dict[str, str]) -> str:
    """Write each `file: value` (a name ending in `?` is optional); "" or why it failed."""
    for name, value in settings.items():
        optional = name.endswith("?")
        target = path / name.rstrip("?")
        if optional and not target.exists():
            continue
        try:
            target.write_text(value)
        except OSError as exc:
            if not optional:
                return f"cannot set {target}: {exc.strerror}"
    return ""


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
    for hierarchy, controller in _all_hierarchies():
        try:
            relative = _relative_path(
                Path("/proc/self/cgroup").read_text(), hierarchy.version, controller
            )
        except OSError:
            continue
        if relative is None:
            continue
        parents = {hierarchy.mount / relative.lstrip("/")}
        if hierarchy.version == 2:
            parents.add(hierarchy.mount)  # see `_parents`: a root tutor's fallback
        for parent in parents:
            try:
                entries = list(parent.iterdir())
            except OSError:
                continue
            for entry in entries:
                match = _NAME.match(entry.name)
                if match is not None and int(match.group(1)) == owner and entry.is_dir():
                    found.append(entry)
    return found


def _all_hierarchies() -> list[tuple[_Hierarchy, str]]:
    """Each hierarchy this module may have created cgroups in, once, with its controller."""
    seen: set[Path] = set()
    found: list[tuple[_Hierarchy, str]] = []
    for controller in ("pids", "memory"):
        for hierarchy in _hierarchies(controller=controller):
            if hierarchy.mount not in seen:
                seen.add(hierarchy.mount)
                found.append((hierarchy, controller))
    return found


def relative_name(cgroup: PidsCgroup) -> str:
    """The cgroup's path as /proc/<pid>/cgroup shows it (for the worker to check it joined)."""
    for hierarchy in _hierarchies(controller=cgroup.controller):
        if hierarchy.version == cgroup.version:
            try:
                return "/" + str(cgroup.path.relative_to(hierarchy.mount))
            except ValueError:
                continue
    return ""


def remove_ours() -> int:
    """Kill and remove every kernel cgroup this tutor still has (at exit: warm standbys too)."""
    return sum(PidsCgroup.existing(path).remove(timeout=1.0) for path in ours())


def memory_total() -> int:
    """Bytes of RAM this machine has (from /proc/meminfo); 0 when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0
