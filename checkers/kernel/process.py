"""One worker process: launch under the strongest sandbox the OS allows, handshake, kill, sweep."""

from __future__ import annotations

import atexit
import functools
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkers.kernel import cgroup as pids_cgroup
from checkers.kernel.config import KernelConfig, KernelError, KernelInfo, SandboxLevel

BOOTSTRAP_PATH = Path(__file__).resolve().with_name("bootstrap.py")
KERNEL_DIR = str(BOOTSTRAP_PATH.parent)
# The worker imports bootstrap.py rather than compiling its text from argv: a cached .pyc saves
# ~8 ms a spawn. The folder leaves sys.path again at once, so its other modules (config, cgroup...)
# never shadow a learner's imports, and the module leaves sys.modules.
BOOTSTRAP_STUB = (
    "import sys\n"
    f"sys.path.insert(0, {KERNEL_DIR!r})\n"
    "try:\n"
    "    import bootstrap\n"
    "finally:\n"
    "    del sys.path[0]\n"
    f"    sys.path_importer_cache.pop({KERNEL_DIR!r}, None)\n"
    "    sys.modules.pop('bootstrap', None)\n"
    "bootstrap.main()\n"
)
NOBODY = 65534
MAX_REPLY = 64 * 1024 * 1024
# The kernel's own tasks in its cgroup on top of the learner's allowance: the worker, its BLAS and
# torch threads (measured: 2 with numpy, 3 after a torch matmul, at 2 threads), and a margin.
# The launcher and the pid-1 reaper stay outside: only the worker is moved in (`_serve_join`).
KERNEL_TASKS = 4
CAP_SYS_ADMIN = 21
CAP_SYS_RESOURCE = 24
# --mount lets the worker make the cgroup mounts read-only for itself (see bootstrap `_seal_cgroups`).
NAMESPACES = ["unshare", "--user", "--map-root-user", "--net", "--pid", "--mount", "--fork", "--kill-child", "--"]

# PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, so every spawn happens on
# this one long-lived thread, never on a short-lived Textual worker thread.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel-spawner")
_LEVEL_LOCK = threading.Lock()
_WORKING_LEVEL: dict[str, str] = {}
_LEVEL_FAILURES: dict[str, list[str]] = {}


@dataclass
class Launch:
    """A command line for one isolation level."""

    level: str
    prefix: list[str]
    uid: int


def _candidates(config: KernelConfig) -> list[Launch]:
    """Strongest first: namespaces as nobody (root only), namespaces, plain process."""
    setpriv = shutil.which("setpriv")
    pdeath = [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []
    candidates: list[Launch] = []
    unshare = shutil.which("unshare")
    if config.isolation != "none" and unshare:
        namespaces = [unshare, *NAMESPACES[1:]]
        if os.geteuid() == 0 and config.drop_privileges and setpriv:
            drop = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
            candidates.append(Launch("namespaces-nobody", [*pdeath, *drop, *namespaces], NOBODY))
        candidates.append(Launch("namespaces", [*pdeath, *namespaces], os.geteuid()))
    if config.isolation != "namespaces":
        candidates.append(Launch("plain", pdeath, os.geteuid()))
    return candidates


def _first_launch(config: KernelConfig) -> Launch:
    """The level that worked last time for this interpreter, else the strongest."""
    candidates = _candidates(config)
    with _LEVEL_LOCK:
        known = _WORKING_LEVEL.get(config.interpreter())
    return next((c for c in candidates if c.level == known), candidates[0])


def level_failures(python: str) -> list[str]:
    """Why stronger isolation levels failed for this interpreter (for `tutor doctor`)."""
    with _LEVEL_LOCK:
        return list(_LEVEL_FAILURES.get(python, []))


def _environment(config: KernelConfig, scratch: Path) -> dict[str, str]:
    threads = str(config.threads)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
    }
    # A CUDA venv needs its driver paths; the Hugging Face cache lets labs use local weights.
    for name in ("LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "CUDA_HOME", "HF_HOME", "HF_HUB_OFFLINE"):
        if name in os.environ:
            env[name] = os.environ[name]
    if "HF_HOME" not in env:
        cache = Path.home() / ".cache" / "huggingface"
        if cache.is_dir():
            env["HF_HOME"] = str(cache)
    env.update(dict(config.env))
    return env


@dataclass(eq=False)
class WorkerProcess:
    """A started worker: its pipes, its host pid, what it reported, and its private scratch dir."""

    popen: subprocess.Popen[bytes]
    request_fd: int
    reply_fd: int
    level: str
    uid: int
    scratch: Path
    config: KernelConfig
    hello: dict[str, Any] = field(default_factory=dict)
    pidfd: int = -1
    failures: list[str] = field(default_factory=list)
    cgroup: pids_cgroup.PidsCgroup | None = None
    start_error: str = ""
    """Why the worker failed before its hello, when the spawner already saw it fail."""
    start_buffer: bytearray = field(default_factory=bytearray)
    start_stderr: bytearray = field(default_factory=bytearray)

    @property
    def worker_pid(self) -> int:
        """The worker's pid on the host (not inside its pid namespace)."""
        return int(self.hello.get("pid", self.popen.pid))

    def info(self) -> KernelInfo:
        """The hello message as typed data."""
        return KernelInfo(
            python=str(self.hello.get("python", "")),
            executable=str(self.hello.get("executable", "")),
            versions=dict(self.hello.get("versions", {})),
            limits=dict(self.hello.get("limits", {})),
            pid=self.worker_pid,
            pid_namespace=bool(self.hello.get("pid_namespace")),
            network_isolated=not self.hello.get("network", True),
            uid=self.uid,
            process_limit=self.process_limit(),
        )

    def sandbox_level(self) -> SandboxLevel:
        """Which protections are in force, judged from the handshake."""
        missing: list[str] = []
        if not self.hello.get("pid_namespace"):
            missing.append("pid namespace (learner code could signal the tutor's processes)")
        if self.hello.get("network", True):
            missing.append("network namespace (learner code can reach the network)")
        if not self.hello.get("pdeathsig"):
            missing.append("parent-death signal")
        for name, value in self.info().limits.items():
            if isinstance(value, str):
                missing.append(f"{name} limit ({value})")
        if self.config.memory_mb <= 0:
            missing.append("address-space limit (off for CUDA kernels)")
        processes = f" Processes: {self.process_limit()}." if self.process_limit() else ""
        if not missing:
            return SandboxLevel(
                "full", (), f"namespaces (user, pid, net), rlimits, parent-death signal.{processes}"
            )
        if self.hello.get("pid_namespace"):
            return SandboxLevel("partial", tuple(missing), f"namespaces and rlimits are on.{processes}")
        reasons = "; ".join(self.failures) or "namespaces were not requested"
        return SandboxLevel(
            "degraded",
            tuple(missing),
            f"rlimits, process group and parent-death signal only ({reasons}).{processes}",
        )

    def process_limit(self) -> str:
        """How the process limit is enforced (`pids cgroup (v1), max 136`), or "" when it is not."""
        return str(self.hello.get("process_limit") or "")

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
        """SIGKILL every process of this worker (strays too), reap it and delete its scratch dir."""
        if self.cgroup is not None:
            # Everything the worker started is in its cgroup, even processes that left the tree.
            self.cgroup.kill_all()
        if self.popen.returncode is None:
            sweep(self.popen.pid, keep=())
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        reap(self.popen)
        self.close_pipes()
        if self.cgroup is not None:
            self.cgroup.remove()
        shutil.rmtree(self.scratch, ignore_errors=True)
        forget(self)


def _nproc_ignored(uid: int) -> bool:
    """RLIMIT_NPROC binds nobody running as root or with CAP_SYS_ADMIN / CAP_SYS_RESOURCE."""
    if uid == 0:
        return True
    if uid != os.geteuid():
        return False  # setpriv changed the uid, which clears the capabilities
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("CapEff:"):
            caps = int(line.split()[1], 16)
            return bool(caps & (1 << CAP_SYS_ADMIN | 1 << CAP_SYS_RESOURCE))
    return False


def _process_cgroup(config: KernelConfig, launch: Launch) -> tuple[pids_cgroup.PidsCgroup | None, str]:
    """A pids cgroup when RLIMIT_NPROC would not bind this worker; else (None, why not)."""
    if config.processes <= 0 or not _nproc_ignored(launch.uid):
        return None, ""
    limit = config.processes + KERNEL_TASKS + 2 * config.threads
    try:
        return pids_cgroup.create(limit), ""
    except OSError as exc:
        return None, str(exc)


@functools.cache
def _cache_bootstrap_bytecode() -> None:
    """Write bootstrap's .pyc for this interpreter if it is missing or stale (once a process): a
    worker running as nobody cannot write it into a root-owned tree. A read-only install that
    lacks it still works; each worker then compiles the module itself."""
    import compileall

    compileall.compile_file(str(BOOTSTRAP_PATH), quiet=2)


def _spawn_once(config: KernelConfig, launch: Launch) -> WorkerProcess:
    _cache_bootstrap_bytecode()
    scratch = Path(tempfile.mkdtemp(prefix="tutor-kernel-"))
    if launch.uid != os.geteuid():
        os.chown(scratch, launch.uid, launch.uid)
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    cfg = {
        "request_fd": request_r,
        "reply_fd": reply_w,
        "memory_mb": config.memory_mb,
        "cpu_seconds": config.cpu_seconds,
        "file_size_mb": config.file_size_mb,
        "open_files": config.open_files,
        "processes": config.processes,
        "host_root": launch.uid == 0,
        "preload": list(config.preload),
        "optional_preload": list(config.optional_preload),
    }
    cgroup, cgroup_error = _process_cgroup(config, launch)
    if cgroup is not None:
        cfg["pids_cgroup"] = {"path": pids_cgroup.relative_name(cgroup), "limit": cgroup.limit,
                              "text": cgroup.describe()}
    elif cgroup_error:
        cfg["pids_cgroup_error"] = cgroup_error
    command = [*launch.prefix, config.interpreter(), "-I", "-c", BOOTSTRAP_STUB, json.dumps(cfg)]
    try:
        popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(request_r, reply_w),
            cwd=scratch,
            env=_environment(config, scratch),
            start_new_session=True,
        )
    except OSError as exc:
        for fd in (request_r, request_w, reply_r, reply_w):
            os.close(fd)
        shutil.rmtree(scratch, ignore_errors=True)
        if cgroup is not None:
            cgroup.remove()
        raise KernelError(f"cannot start {config.interpreter()}: {exc}") from exc
    os.close(request_r)
    os.close(reply_w)
    os.set_blocking(request_w, False)
    worker = WorkerProcess(popen, request_w, reply_r, launch.level, launch.uid, scratch, config, cgroup=cgroup)
    if cgroup is not None:
        _serve_join(worker, config.start_timeout)
    return worker


def _serve_join(process: WorkerProcess, timeout: float) -> None:
    """Move the worker into its pids cgroup when it asks, which it does before its preloads.

    Joining a cgroup waits for an RCU grace period (cgroup v1: 10-20 ms). Done here, it overlaps
    the worker's numpy import instead of delaying its exec. The worker waits for the answer
    before it says hello, so no learner code ever runs outside the cgroup."""
    frame = _next_frame(process, timeout)
    if isinstance(frame, str):
        process.start_error = frame
        return
    if frame.get("op") != "join":
        process.start_error = f"expected a cgroup join request, got {frame.get('op')!r}"
        return
    pid = frame.get("pid")
    error = ""
    assert process.cgroup is not None
    if not isinstance(pid, int) or (pid != process.popen.pid and process.popen.pid not in _ancestors(pid)):
        error = f"pid {pid} is not a process of this kernel"
    else:
        try:
            process.cgroup.add(pid)
        except OSError as exc:
            error = exc.strerror or str(exc)
    data = json.dumps({"op": "joined", "error": error}).encode("utf-8")
    # Non-blocking, but a few bytes into the empty request pipe always fit.
    os.write(process.request_fd, struct.pack(">I", len(data)) + data)


def reap(popen: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Wait for a killed launcher so it leaves no zombie; past `timeout`, a daemon thread waits on."""
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


def spawn(config: KernelConfig) -> Future[WorkerProcess]:
    """Start a worker on the spawner thread; `handshake` then waits for its hello."""
    reap_exited()
    return _SPAWNER.submit(_spawn_once, config, _first_launch(config))


def handshake(process: WorkerProcess) -> WorkerProcess:
    """Wait for the worker's hello; fall back to weaker isolation when a launcher fails.

    A worker that fails any step is killed (and reaped) before the error propagates."""
    config = process.config
    failures: list[str] = []
    try:
        while True:
            error = _await_hello(process, config.start_timeout)
            if error is None:
                break
            failures.append(f"{process.level}: {error}")
            process.kill()
            levels = [c.level for c in _candidates(config)]
            remaining = _candidates(config)[levels.index(process.level) + 1 :] if process.level in levels else []
            if not remaining or _is_interpreter_problem(error):
                raise KernelError(f"the kernel did not start: {error}")
            process = _SPAWNER.submit(_spawn_once, config, remaining[0]).result()
        _open_pidfd(process)
    except BaseException:
        process.kill()  # idempotent: a launcher already killed above is only reaped again
        raise
    process.failures = failures
    with _LEVEL_LOCK:
        _WORKING_LEVEL[config.interpreter()] = process.level
        if failures:
            _LEVEL_FAILURES[config.interpreter()] = failures
    with _LIVE_LOCK:
        _LIVE.add(process)
    return process


def _is_interpreter_problem(error: str) -> bool:
    """Errors no weaker sandbox would fix: the preload is missing or the interpreter is broken."""
    return "preload failed" in error


def _await_hello(process: WorkerProcess, timeout: float) -> str | None:
    """None once the hello is in `process.hello`, else why the worker did not start."""
    if process.start_error:
        return process.start_error
    hello = _next_frame(process, timeout)
    if isinstance(hello, str):
        return hello
    versions = hello.get("versions", {})
    broken = [k for k in versions if k.endswith("_error")]
    if broken:
        name = broken[0].removesuffix("_error")
        return f"preload failed: cannot import {name} ({versions[broken[0]]})"
    process.hello = hello
    return None


def _next_frame(process: WorkerProcess, timeout: float) -> dict[str, Any] | str:
    """The worker's next start-up message, or why none came: its last stderr line when it exited,
    or the timeout. Bytes past the message stay in `process.start_buffer` for the next call."""
    deadline = time.monotonic() + timeout
    buffer = process.start_buffer
    assert process.popen.stderr is not None
    err_fd = process.popen.stderr.fileno()
    while True:
        if len(buffer) >= 4:
            (size,) = struct.unpack(">I", bytes(buffer[:4]))
            if len(buffer) >= 4 + size:
                frame = json.loads(bytes(buffer[4 : 4 + size]).decode("utf-8"))
                del buffer[: 4 + size]
                return frame if isinstance(frame, dict) else f"sent {type(frame).__name__}, not a message"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return f"no reply within {timeout:.0f} s"
        ready, _, _ = select.select([process.reply_fd, err_fd], [], [], remaining)
        if err_fd in ready:
            chunk = os.read(err_fd, 65536)
            if chunk and len(process.start_stderr) < 65536:
                process.start_stderr += chunk
        if process.reply_fd in ready:
            chunk = os.read(process.reply_fd, 65536)
            if not chunk:
                process.popen.wait(timeout=5)
                text = process.start_stderr.decode("utf-8", "replace").strip().splitlines()
                detail = text[-1] if text else f"exit status {process.popen.returncode}"
                return f"exited during start-up: {detail}"
            buffer += chunk


def _open_pidfd(process: WorkerProcess) -> None:
    """A pidfd for the worker, checked to be our own worker's descendant (never a stranger)."""
    pid = process.worker_pid
    try:
        fd = os.pidfd_open(pid)
    except OSError as exc:
        raise KernelError(f"cannot watch the kernel process: {exc}") from exc
    if pid != process.popen.pid and process.popen.pid not in _ancestors(pid):
        os.close(fd)
        raise KernelError("the kernel reported a process that is not its own")
    process.pidfd = fd


def _parent_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
    return parents


def _ancestors(pid: int) -> list[int]:
    """`pid`'s parent, grandparent and so on, read one /proc entry at a time (no full scan)."""
    chain: list[int] = []
    while pid > 1 and len(chain) < 64:
        pid = _parent_of(pid)
        if pid <= 0:
            break
        chain.append(pid)
    return chain


def descendants(root: int) -> list[int]:
    """Every process below `root` in the process tree, found by scanning /proc."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parent_map().items():
        children.setdefault(parent, []).append(pid)
    found: list[int] = []
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _parent_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return -1
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def sweep(root: int, keep: tuple[int, ...]) -> int:
    """SIGKILL every descendant of `root` except `keep`, each through a pidfd checked after opening."""
    killed = 0
    for _ in range(4):  # a fork racing the sweep leaves a new child: go round again
        tree = set(descendants(root))
        targets = tree.difference(keep)
        if not targets:
            break
        for pid in targets:
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                continue
            try:
                if _parent_of(pid) in tree | {root}:
                    signal.pidfd_send_signal(fd, signal.SIGKILL)
                    killed += 1
            except OSError:
                pass
            finally:
                os.close(fd)
    return killed


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
    pids_cgroup.remove_ours()


atexit.register(_cleanup_at_exit)
