"""One started worker: its handshake, its sandbox report, signals, killing it and its strays."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkers.kernel import cgroup as cgroups
from checkers.kernel import launch
from checkers.kernel.config import (
    LAYERS,
    KernelConfig,
    KernelError,
    KernelInfo,
    Layer,
    SandboxLevel,
)
from checkers.kernel.procfs import ancestors, descendants, sweep

__all__ = ["WorkerProcess", "descendants", "handshake", "level_failures", "spawn", "sweep"]

_LEVEL_LOCK = threading.Lock()
_WORKING_LEVEL: dict[tuple[str, str], str] = {}
_LEVEL_FAILURES: dict[str, list[str]] = {}


@dataclass(eq=False)
class WorkerProcess:
    """A started worker: its pipes, its host pid, what it reported, and its work folder."""

    popen: subprocess.Popen[bytes]
    request_fd: int
    reply_fd: int
    level: str
    uid: int
    scratch: launch.Scratch
    config: KernelConfig
    hello: dict[str, Any] = field(default_factory=dict)
    pidfd: int = -1
    failures: list[str] = field(default_factory=list)
    groups: list[cgroups.PidsCgroup] = field(default_factory=list)
    group_errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_spawned(cls, spawned: launch.Spawned) -> WorkerProcess:
        """Take over what the spawner started."""
        return cls(
            spawned.popen,
            spawned.request_fd,
            spawned.reply_fd,
            spawned.launch.level,
            spawned.launch.uid,
            spawned.scratch,
            spawned.config,
            groups=spawned.groups,
            group_errors=spawned.group_errors,
        )

    @property
    def worker_pid(self) -> int:
        """The worker's pid on the host (not inside its pid namespace)."""
        return int(self.hello.get("pid", self.popen.pid))

    @property
    def cgroup(self) -> cgroups.PidsCgroup | None:
        """The kernel's pids cgroup, when it has one."""
        return self._group("pids")

    def _group(self, controller: str) -> cgroups.PidsCgroup | None:
        return next((g for g in self.groups if g.controller == controller), None)

    def _joined(self, controller: str) -> bool:
        joined = self.hello.get("cgroups")
        return isinstance(joined, dict) and joined.get(controller) is True

    def info(self) -> KernelInfo:
        """The hello message as typed data."""
        limits = dict(self.hello.get("limits", {}))
        pids = self.cgroup
        if pids is not None and self._joined("pids"):
            limits["processes"] = pids.limit
        elif pids is not None:
            limits["processes"] = (
                f"not enforced: the kernel did not join {pids.path} ({self._join_error()})"
            )
        elif (
            os.geteuid() == 0
            and not isinstance(limits.get("processes"), int)
            and "pids" in self.group_errors
        ):
            limits["processes"] = (
                f"not enforced: the kernel runs as root and {self.group_errors['pids']}"
            )
        return KernelInfo(
            python=str(self.hello.get("python", "")),
            executable=str(self.hello.get("executable", "")),
            versions=dict(self.hello.get("versions", {})),
            limits=limits,
            pid=self.worker_pid,
            pid_namespace=bool(self.hello.get("pid_namespace")),
            network_isolated=not self.hello.get("network", True),
            uid=int(self.hello.get("uid", self.uid)),
            process_limit=self.process_limit(limits),
            setup_ms=_timings(self.hello.get("timings")),
        )

    def _join_error(self) -> str:
        joined = self.hello.get("cgroups")
        error = joined.get("error") if isinstance(joined, dict) else ""
        return str(error or "no reason given")

    def process_limit(self, limits: dict[str, Any] | None = None) -> str:
        """How the process limit is enforced (`pids cgroup (v1), max 136`), or "" when it is not."""
        limits = limits if limits is not None else self.info().limits
        if not isinstance(limits.get("processes"), int):
            return ""
        pids = self.cgroup
        if pids is not None and self._joined("pids"):
            return pids.describe()
        return f"RLIMIT_NPROC, {self.config.processes} over the user's count"

    def layers(self) -> tuple[Layer, ...]:
        """Each isolation layer, in force or not, judged from the handshake and the cgroups."""
        raw = self.hello.get("layers")
        reported: dict[str, Any] = raw if isinstance(raw, dict) else {}
        found: dict[str, Layer] = {}
        for name in ("filesystem", "identity", "landlock", "syscalls"):
            value = reported.get(name)
            if isinstance(value, list) and len(value) == 2:
                found[name] = Layer(name, bool(value[0]), str(value[1]))
            else:
                found[name] = Layer(name, False, "not reported by the kernel")
        uid = self.hello.get("uid")
        if uid == 0 or self.hello.get("capabilities") not in (0, None):
            found["identity"] = Layer(
                "identity", False, f"uid {uid} with capabilities {self.hello.get('capabilities')}"
            )
        found["memory"] = self._memory_layer()
        limits = self.info().limits
        process_text = self.process_limit(limits)
        found["processes"] = Layer(
            "processes",
            bool(process_text),
            process_text or f"not enforced ({limits.get('processes', 'not configured')})",
        )
        pid_ns = bool(self.hello.get("pid_namespace"))
        found["pid namespace"] = Layer(
            "pid namespace",
            pid_ns,
            "own pid namespace: the tutor and your other processes cannot be seen or signalled"
            if pid_ns
            else "none: learner code could signal the tutor's processes",
        )
        network = not self.hello.get("network", True)
        found["network"] = Layer(
            "network",
            network,
            "own network namespace with no interfaces"
            if network
            else "reachable: learner code can use the network",
        )
        terminal = str(self.hello.get("terminal", "not reported"))
        found["terminal"] = Layer(
            "terminal",
            not terminal,
            "none: no controlling terminal, stdin is empty, output "
            "reaches the screen only through the tutor's sanitiser"
            if not terminal
            else terminal,
        )
        return tuple(found[name] for name in LAYERS)

    def _memory_layer(self) -> Layer:
        memory = self._group("memory")
        if memory is not None and self._joined("memory"):
            return Layer("memory", True, memory.describe())
        address = (
            f"RLIMIT_AS {self.config.memory_mb} MiB per process"
            if self.config.memory_mb > 0
            else "none"
        )
        why = self.group_errors.get("memory") or (
            f"the kernel did not join it ({self._join_error()})"
            if memory is not None
            else "not made"
        )
        return Layer("memory", False, f"per process only ({address}); no memory cgroup: {why}")

    def sandbox_level(self) -> SandboxLevel:
        """Which layers are in force: `full` only when every one holds."""
        layers = self.layers()
        limits = self.info().limits
        missing = [f"{layer.title}: {layer.detail}" for layer in layers if not layer.ok]
        if not self.hello.get("pdeathsig"):
            missing.append("parent-death signal")
        for name, value in limits.items():
            if isinstance(value, str) and name != "processes":
                missing.append(f"{name} limit ({value})")
        if not missing:
            return SandboxLevel("full", (), "every layer holds.", layers)
        if self.hello.get("pid_namespace"):
            return SandboxLevel(
                "partial", tuple(missing), "namespaces hold, some layers do not.", layers
            )
        reasons = "; ".join(self.failures) or "namespaces were not requested"
        return SandboxLevel("degraded", tuple(missing), f"no namespaces ({reasons}).", layers)

    def close_pipes(self) -> None:
        """Close the parent's ends of every pipe."""
        for fd in (self.request_fd, self.reply_fd, self.pidfd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.request_fd = self.reply_fd = self.pidfd = -1
        for stream in (self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()

    def signal_worker(self, signum: int) -> bool:
        """Signal the worker through its pidfd, which can never hit a recycled pid."""
        if self.pidfd < 0:
            return False
        try:
            signal.pidfd_send_signal(self.pidfd, signum)
            return True
        except (ProcessLookupError, OSError):
            return False

    def kill(self) -> None:
        """SIGKILL every process of this worker (strays too), reap it and delete its folder."""
        for group in self.groups:
            # Everything the worker started is in its cgroups, even processes that left the tree.
            group.kill_all()
        if self.popen.returncode is None:
            sweep(self.popen.pid, keep=())
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        reap(self.popen)
        self.close_pipes()
        for group in self.groups:
            group.remove()
        self.scratch.remove()
        forget(self)


def _timings(raw: object) -> dict[str, float]:
    """The worker's set-up timings, kept only where they are numbers."""
    if not isinstance(raw, dict):
        return {}
    return {str(k): float(v) for k, v in raw.items() if isinstance(v, (int, float))}


def reap(popen: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Wait for a killed launcher so it leaves no zombie; past `timeout` a daemon thread waits."""
    try:
        popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        threading.Thread(target=popen.wait, name="kernel-reaper", daemon=True).start()


def reap_exited() -> None:
    """Collect the exit status of workers that died while idle (no request noticed it yet)."""
    with _LIVE_LOCK:
        processes = list(_LIVE)
    for process in processes:
        process.popen.poll()  # reaps a dead launcher; the kernel still sees EOF on its next request


def _key(config: KernelConfig) -> tuple[str, str]:
    return config.interpreter(), config.isolation


def _first_launch(config: KernelConfig) -> launch.Launch:
    """The level that worked last time for this interpreter, else the strongest."""
    found = launch.candidates(config)
    if not found:
        raise KernelError(f"no way to start a kernel with isolation {config.isolation!r}")
    with _LEVEL_LOCK:
        known = _WORKING_LEVEL.get(_key(config))
    return next((c for c in found if c.level == known), found[0])


def level_failures(python: str) -> list[str]:
    """Why stronger isolation levels failed for this interpreter (for `tutor doctor`)."""
    with _LEVEL_LOCK:
        return list(_LEVEL_FAILURES.get(python, []))


def spawn(config: KernelConfig) -> Future[launch.Spawned]:
    """Start a worker on the spawner thread; `handshake` then waits for its hello."""
    reap_exited()
    return launch.SPAWNER.submit(launch.spawn_once, config, _first_launch(config))


def handshake(spawned: launch.Spawned) -> WorkerProcess:
    """Wait for the worker's hello; fall back to weaker isolation when allowed and a level fails;
    refuse (KernelError) a `strict` kernel in which some layer does not hold.

    A worker that fails any step is killed (and reaped) before the error propagates."""
    config = spawned.config
    failures: list[str] = []
    process = WorkerProcess.from_spawned(spawned)
    try:
        while True:
            error = spawned.start_error or _await_hello(spawned, process, config.start_timeout)
            if error is None:
                break
            failures.append(f"{process.level}: {error}")
            process.kill()
            found = launch.candidates(config)
            levels = [c.level for c in found]
            remaining = found[levels.index(process.level) + 1 :] if process.level in levels else []
            if config.isolation == "strict" and "sandbox:" in error:
                raise KernelError(
                    f"refusing to run code: the sandbox cannot be built here ({error}). To run "
                    "code anyway with less isolation, knowing what a hostile file could then do, "
                    'set kernel.isolation = "relaxed" in the config file or '
                    "TUTOR_KERNEL_ISOLATION=relaxed."
                )
            if not remaining or _is_interpreter_problem(error):
                raise KernelError(f"the kernel did not start: {error}")
            spawned = launch.SPAWNER.submit(launch.spawn_once, config, remaining[0]).result()
            process = WorkerProcess.from_spawned(spawned)
        process.failures = failures
        if config.isolation == "strict":
            level = process.sandbox_level()
            if not level.full:
                raise KernelError(refusal(level))
        _open_pidfd(process)
    except BaseException:
        process.kill()  # idempotent: a launcher already killed above is only reaped again
        raise
    with _LEVEL_LOCK:
        _WORKING_LEVEL[_key(config)] = process.level
        if failures:
            _LEVEL_FAILURES[config.interpreter()] = failures
    with _LIVE_LOCK:
        _LIVE.add(process)
    return process


def refusal(level: SandboxLevel) -> str:
    """Why a strict kernel will not run code here, and how to opt in to less, knowingly."""
    missing = "; ".join(level.missing)
    return (
        f'refusing to run code with less isolation than every layer (kernel.isolation = "strict"). '
        f"Missing: {missing}. To run code anyway, knowing what a hostile file could then do, set "
        f'kernel.isolation = "relaxed" in the config file or TUTOR_KERNEL_ISOLATION=relaxed.'
    )


def _is_interpreter_problem(error: str) -> bool:
    """Errors no weaker sandbox would fix: the preload is missing or the interpreter is broken."""
    return "preload failed" in error


def _await_hello(spawned: launch.Spawned, process: WorkerProcess, timeout: float) -> str | None:
    """None once the hello is in `process.hello`, else why the worker did not start."""
    hello = launch.next_frame(spawned, timeout)
    if isinstance(hello, str):
        return hello
    if hello.get("op") != "hello":
        return f"expected a hello, got {str(hello.get('op'))[:40]!r}"
    versions = hello.get("versions", {})
    if not isinstance(versions, dict):
        return "sent a malformed hello"
    broken = [k for k in versions if str(k).endswith("_error")]
    if broken:
        name = broken[0].removesuffix("_error")
        return f"preload failed: cannot import {name} ({versions[broken[0]]})"
    process.hello = hello
    return None


def _open_pidfd(process: WorkerProcess) -> None:
    """A pidfd for the worker, checked to be our own worker's descendant (never a stranger)."""
    pid = process.worker_pid
    try:
        fd = os.pidfd_open(pid)
    except OSError as exc:
        raise KernelError(f"cannot watch the kernel process: {exc}") from exc
    if pid != process.popen.pid and process.popen.pid not in ancestors(pid):
        os.close(fd)
        raise KernelError("the kernel reported a process that is not its own")
    process.pidfd = fd


def scratch_of(process: WorkerProcess) -> Path:
    """The folder the tutor shares with the worker."""
    return process.scratch.root


_LIVE: set[WorkerProcess] = set()
_LIVE_LOCK = threading.Lock()


def forget(process: WorkerProcess) -> None:
    """Stop tracking a worker that has been killed."""
    with _LIVE_LOCK:
        _LIVE.discard(process)


def _cleanup_at_exit() -> None:
    with _LIVE_LOCK:
        processes = list(_LIVE)
    for process in processes:
        process.kill()
    # Warm standbys never reached `_LIVE`; their cgroups (and they) go too.
    cgroups.remove_ours()


atexit.register(_cleanup_at_exit)
