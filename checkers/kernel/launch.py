"""Starting one worker: its work folder, environment, cgroups and command line.

The confinement itself (namespaces, private root, identity, Landlock) happens inside the worker's
stdlib-only bootstrap through direct system calls; this module decides what it asks for and hands
the worker its pipes. A worker never runs as host uid 0: a root tutor's worker becomes nobody.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkers.kernel import cgroup as cgroups
from checkers.kernel import framing, procfs
from checkers.kernel.config import KernelConfig, KernelError

BOOTSTRAP_PATH = Path(__file__).resolve().with_name("bootstrap.py")
KERNEL_DIR = str(BOOTSTRAP_PATH.parent)
SOURCE_TREE = str(BOOTSTRAP_PATH.parents[2])
"""The tutor's own tree (checkers/, content/ with the reference code): never in a kernel's view,
even when an editable install puts it on the kernel interpreter's sys.path."""
HELPERS = ("framing", "confine", "landlock", "seccomp")
"""Stdlib-only modules beside bootstrap.py that it imports under the kernel's interpreter."""
# The worker imports bootstrap.py rather than compiling its text from argv: a cached .pyc saves
# ~8 ms a spawn. The folder leaves sys.path again at once, so its other modules (config, cgroup...)
# never shadow a learner's imports, and the modules leave sys.modules.
BOOTSTRAP_STUB = (
    "import sys\n"
    f"sys.path.insert(0, {KERNEL_DIR!r})\n"
    "try:\n"
    "    import bootstrap\n"
    "finally:\n"
    "    del sys.path[0]\n"
    f"    sys.path_importer_cache.pop({KERNEL_DIR!r}, None)\n"
    f"    for _name in ('bootstrap', {', '.join(repr(h) for h in HELPERS)}):\n"
    "        sys.modules.pop(_name, None)\n"
    "bootstrap.main()\n"
)
NOBODY = 65534
SCRATCH_PREFIX = "tutor-kernel-"
_SCRATCH_NAME = re.compile(rf"^{SCRATCH_PREFIX}(\d+)-")
# The kernel's own tasks in its cgroup on top of the learner's allowance: the worker, its BLAS and
# torch threads (measured: 2 with numpy, 3 after a torch matmul, at 2 threads), and a margin.
# The launcher and the pid-1 reaper stay outside: only the worker is moved in (`serve_join`).
KERNEL_TASKS = 4

# PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, so every spawn happens on
# this one long-lived thread, never on a short-lived Textual worker thread.
SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel-spawner")
_STALE_SWEPT = threading.Event()


@dataclass(frozen=True)
class Launch:
    """One way of starting a worker: inside fresh namespaces with a private root, or plain."""

    level: str
    namespaces: bool

    @property
    def uid(self) -> int:
        """The uid the worker runs as on the host: never 0."""
        return NOBODY if os.geteuid() == 0 else os.geteuid()


def candidates(config: KernelConfig) -> list[Launch]:
    """Strongest first; `strict` offers nothing weaker than namespaces."""
    found: list[Launch] = []
    if config.isolation != "none":
        found.append(Launch("namespaces", True))
    if config.isolation != "strict":
        found.append(Launch("plain", False))
    return found


@dataclass
class Scratch:
    """The folder a worker shares with the tutor, and fds on its parts held by the tutor.

    `root` and `in` belong to the tutor (the worker reads them); `home` (cwd, HOME) and `out`
    (results) belong to the worker: inside namespaces they are its own tmpfs, capped and gone with
    it. The tutor reaches `in` only through the fd it opened when it made it, and `out` through
    that fd or, for a private `out`, with openat2 beneath the worker's root refusing every symlink,
    so a planted link or a swapped folder can never redirect it."""

    root: Path
    home: Path
    inputs: Path
    outputs: Path
    in_fd: int = -1
    out_fd: int = -1
    private: bool = False
    """`home` and `out` are the worker's own tmpfs, reached through /proc/<pid>/root."""

    def remove(self) -> None:
        """Close the fds and delete the folder (rmtree never follows a planted symlink)."""
        for fd in (self.in_fd, self.out_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.in_fd = self.out_fd = -1
        shutil.rmtree(self.root, ignore_errors=True)


def make_scratch(uid: int, private: bool) -> Scratch:
    """A fresh work folder named after this tutor's pid (so a later tutor can remove it).

    `private`: `home` and `out` are only mount points for the worker's own tmpfs (namespaces),
    else they are the worker's folders on this disk, owned by it."""
    sweep_stale_scratch()
    root = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    os.chmod(root, 0o755)
    scratch = Scratch(root, root / "home", root / "in", root / "out", private=private)
    try:
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            for name, mode, owned in (
                ("home", 0o700, True),
                ("in", 0o755, False),
                ("out", 0o700, True),
            ):
                os.mkdir(name, mode, dir_fd=root_fd)
                fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=root_fd)
                if owned and not private and uid != os.geteuid():
                    os.fchown(fd, uid, uid)  # an fd on the folder just made: never a path
                if name == "in":
                    scratch.in_fd = fd
                elif name == "out":
                    scratch.out_fd = fd
                else:
                    os.close(fd)
        finally:
            os.close(root_fd)
    except OSError:
        scratch.remove()
        raise
    return scratch


def sweep_stale_scratch() -> None:
    """Once a process: delete work folders left by tutors that were killed (no `finally` ran)."""
    if _STALE_SWEPT.is_set():
        return
    _STALE_SWEPT.set()
    base = Path(tempfile.gettempdir())
    try:
        entries = list(base.iterdir())
    except OSError:
        return
    # Folders of older versions (no pid in the name; a root tutor gave them to nobody) go only
    # when clearly abandoned.
    owners = {os.geteuid(), NOBODY} if os.geteuid() == 0 else {os.geteuid()}
    for entry in entries:
        match = _SCRATCH_NAME.match(entry.name)
        old = entry.name.startswith(("tutor-grade-", SCRATCH_PREFIX)) and match is None
        if match is None and not old:
            continue
        if match is not None and procfs.alive(int(match.group(1))):
            continue
        if old and _recent(entry):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_uid in owners:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


def _recent(entry: Path) -> bool:
    import time

    try:
        return time.time() - entry.stat().st_mtime < 3600
    except OSError:
        return True


def environment(config: KernelConfig, scratch: Scratch, namespaces: bool) -> dict[str, str]:
    """The worker's whole environment: nothing of the tutor's but what a kernel needs."""
    threads = str(config.threads)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch.home),
        # Inside the private root /tmp is the kernel's own size-capped tmpfs.
        "TMPDIR": "/tmp" if namespaces else str(scratch.home),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
    }
    # A CUDA venv needs its driver paths; the Hugging Face cache lets labs use local weights.
    for name in (
        "LD_LIBRARY_PATH",
        "CUDA_VISIBLE_DEVICES",
        "CUDA_HOME",
        "HF_HOME",
        "HF_HUB_OFFLINE",
    ):
        if name in os.environ:
            env[name] = os.environ[name]
    if "HF_HOME" not in env:
        try:
            cache = Path.home() / ".cache" / "huggingface"
            if cache.is_dir():
                env["HF_HOME"] = str(cache)
        except (OSError, RuntimeError):
            pass  # a HOME this user cannot read (e.g. root's, under setpriv): no cache then
    env.update(dict(config.env))
    return env


TUTOR_PACKAGES = ("tutor", "checkers", "progress", "content")
"""The distribution's top-level packages (pyproject's packages.find): content/ holds references."""


def masked_packages() -> list[str]:
    """The tutor's package folders, to be hidden where a regular (non-editable) install puts them
    beside the interpreter's other packages, in a site-packages the view must show."""
    return [
        real
        for name in TUTOR_PACKAGES
        if os.path.isdir(real := os.path.realpath(os.path.join(SOURCE_TREE, name)))
    ]


def extra_read_only(env: dict[str, str]) -> list[str]:
    """Host folders the view shows read-only besides the interpreter's own: the Hugging Face
    model cache, CUDA_HOME and LD_LIBRARY_PATH entries (all named by the user's environment)."""
    # Only HF_HOME's model cache (`hub/`), never HF_HOME itself: it holds the user's access token
    # (`token`, `stored_tokens`), readable by the worker's uid.
    hub = os.path.join(env["HF_HOME"], "hub") if env.get("HF_HOME") else ""
    paths = [hub, env.get("CUDA_HOME", "")]
    paths += env.get("LD_LIBRARY_PATH", "").split(":")
    # os.path.isdir is False (never an error) for a folder this user cannot reach.
    return sorted(
        {os.path.realpath(p) for p in paths if p and os.path.isabs(p) and os.path.isdir(p)}
    )


def gpu_devices(config: KernelConfig, dev: str = "/dev") -> list[str]:
    """The NVIDIA nodes and driver folders to bind: only for kernels that may use CUDA (torch)."""
    if not config.uses_cuda:
        return []
    from checkers.kernel.confine import nvidia_paths

    return nvidia_paths(dev)


@dataclass
class Spawned:
    """A started launcher and what the tutor holds for it until the handshake."""

    popen: subprocess.Popen[bytes]
    request_fd: int
    reply_fd: int
    launch: Launch
    scratch: Scratch
    config: KernelConfig
    groups: list[cgroups.PidsCgroup] = field(default_factory=list)
    group_errors: dict[str, str] = field(default_factory=dict)
    start_error: str = ""
    start_buffer: bytearray = field(default_factory=bytearray)
    start_stderr: bytearray = field(default_factory=bytearray)


def make_cgroups(config: KernelConfig) -> tuple[list[cgroups.PidsCgroup], dict[str, str]]:
    """The kernel's pids and memory cgroups where this tutor may make them; else why not."""
    made: list[cgroups.PidsCgroup] = []
    errors: dict[str, str] = {}
    pids: cgroups.PidsCgroup | None = None
    if config.processes > 0:
        try:
            pids = cgroups.create(config.processes + KERNEL_TASKS + 2 * config.threads)
            made.append(pids)
        except OSError as exc:
            errors["pids"] = str(exc)
    try:
        made.append(cgroups.create_memory(memory_limit_bytes(config), beside=pids))
    except OSError as exc:
        errors["memory"] = str(exc)
    return made, errors


def memory_limit_bytes(config: KernelConfig) -> int:
    """RAM for all of a kernel's processes: `ram_mb`, else `memory_mb`, else 3/4 of the machine."""
    mb = config.ram_mb or config.memory_mb
    if mb > 0:
        return mb * 1024 * 1024
    return max(512 * 1024 * 1024, cgroups.memory_total() * 3 // 4)


@functools.cache
def _cache_bytecode() -> None:
    """Write the bootstrap's .pyc files for this interpreter if missing or stale (once a process):
    a worker running as nobody cannot write them into a root-owned tree. A read-only install that
    lacks them still works; each worker then compiles the modules itself."""
    import compileall

    for name in ("bootstrap", *HELPERS):
        compileall.compile_file(str(BOOTSTRAP_PATH.with_name(f"{name}.py")), quiet=2)


def spawn_once(config: KernelConfig, launch: Launch) -> Spawned:
    """Start a launcher for `launch` (on the spawner thread); the handshake waits for its hello."""
    _cache_bytecode()
    scratch = make_scratch(launch.uid, private=launch.namespaces)
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    env = environment(config, scratch, launch.namespaces)
    groups, group_errors = make_cgroups(config)
    devices = gpu_devices(config) if launch.namespaces else []
    cfg: dict[str, Any] = {
        "request_fd": request_r,
        "reply_fd": reply_w,
        "parent": os.getpid(),
        "namespaces": launch.namespaces,
        "memory_mb": config.memory_mb,
        "cpu_seconds": config.cpu_seconds,
        "file_size_mb": config.file_size_mb,
        "open_files": config.open_files,
        "processes": config.processes,
        "preload": list(config.preload),
        "optional_preload": list(config.optional_preload),
        "cgroups": {g.controller: cgroups.relative_name(g) for g in groups},
        "confine": {
            "read_only": extra_read_only(env),
            "hidden": [SOURCE_TREE],
            "masked": masked_packages(),
            "shared": str(scratch.root),
            "private": [str(scratch.home), str(scratch.outputs)],
            "devices": devices,
            "tmpfs_mb": config.tmpfs_mb,
            "home": str(scratch.home),
            "landlock": config.landlock,
        },
    }
    command = [config.interpreter(), "-I", "-c", BOOTSTRAP_STUB, json.dumps(cfg)]
    try:
        popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(request_r, reply_w),
            cwd=scratch.root,
            env=env,
            start_new_session=True,  # no controlling terminal, and a group to kill
        )
    except OSError as exc:
        for fd in (request_r, request_w, reply_r, reply_w):
            os.close(fd)
        scratch.remove()
        for group in groups:
            group.remove()
        raise KernelError(f"cannot start {config.interpreter()}: {exc}") from exc
    os.close(request_r)
    os.close(reply_w)
    os.set_blocking(request_w, False)
    spawned = Spawned(popen, request_w, reply_r, launch, scratch, config, groups, group_errors)
    if groups:
        serve_join(spawned, config.start_timeout)
    return spawned


def serve_join(spawned: Spawned, timeout: float) -> None:
    """Move the worker into its cgroups when it asks, which it does before its set-up.

    Joining a cgroup waits for an RCU grace period (cgroup v1: 10-20 ms). Done here, it overlaps
    the worker's set-up and numpy import instead of delaying its exec. The worker waits for the
    answer before it says hello, so no learner code ever runs outside its cgroups."""
    frame = next_frame(spawned, timeout)
    if isinstance(frame, str):
        spawned.start_error = frame
        return
    if frame.get("op") != "join":
        spawned.start_error = f"expected a cgroup join request, got {frame.get('op')!r}"
        return
    pid = frame.get("pid")
    errors: list[str] = []
    if not isinstance(pid, int) or (
        pid != spawned.popen.pid and spawned.popen.pid not in procfs.ancestors(pid)
    ):
        errors.append(f"pid {pid} is not a process of this kernel")
    else:
        for group in spawned.groups:
            try:
                group.add(pid)
            except OSError as exc:
                errors.append(f"{group.controller}: {exc.strerror or exc}")
    # Non-blocking, but a few bytes into the empty request pipe always fit.
    try:
        os.write(spawned.request_fd, framing.encode({"op": "joined", "error": "; ".join(errors)}))
    except OSError:
        pass  # it died meanwhile: its hello never comes, and the handshake reports why


def next_frame(spawned: Spawned, timeout: float) -> dict[str, Any] | str:
    """The worker's next start-up message, or why none came: its last stderr line when it exited,
    or the timeout. Bytes past the message stay in `start_buffer` for the next call."""
    import select
    import time

    deadline = time.monotonic() + timeout
    buffer = spawned.start_buffer
    assert spawned.popen.stderr is not None
    err_fd = spawned.popen.stderr.fileno()
    while True:
        try:
            frame = framing.pop_frame(buffer)
        except framing.FrameError as exc:
            return f"sent a malformed start-up message ({exc})"
        if frame is not None:
            return frame
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return f"no reply within {timeout:.0f} s"
        ready, _, _ = select.select([spawned.reply_fd, err_fd], [], [], remaining)
        if err_fd in ready:
            chunk = os.read(err_fd, 65536)
            if chunk and len(spawned.start_stderr) < 65536:
                spawned.start_stderr += chunk
        if spawned.reply_fd in ready:
            chunk = os.read(spawned.reply_fd, 65536)
            if not chunk:
                try:
                    spawned.popen.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
                text = spawned.start_stderr.decode("utf-8", "replace").strip().splitlines()
                detail = text[-1] if text else f"exit status {spawned.popen.returncode}"
                return f"exited during start-up: {detail}"
            buffer += chunk
