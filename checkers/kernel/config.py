"""Typed settings and results of the code kernel (no process handling here)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Literal

CellStatus = Literal["ok", "error", "timeout", "interrupted", "crashed", "output_limit"]
Isolation = Literal["strict", "relaxed", "none"]
ISOLATIONS: tuple[str, ...] = ("strict", "relaxed", "none")
LAYERS: tuple[str, ...] = (
    "filesystem",
    "identity",
    "landlock",
    "syscalls",
    "memory",
    "processes",
    "pid namespace",
    "network",
    "terminal",
)
"""Every isolation layer the sandbox report names, in the order `tutor doctor` prints them."""
LAYER_TITLES = {
    "filesystem": "filesystem view",
    "identity": "identity",
    "landlock": "Landlock",
    "syscalls": "syscall filter",
    "memory": "memory limit",
    "processes": "process limit",
    "pid namespace": "pid namespace",
    "network": "network",
    "terminal": "terminal",
}


def default_isolation() -> Isolation:
    """`strict`, unless `TUTOR_KERNEL_ISOLATION` names another valid level."""
    chosen = os.environ.get("TUTOR_KERNEL_ISOLATION", "")
    if chosen == "relaxed":
        return "relaxed"
    if chosen == "none":
        return "none"
    return "strict"


@dataclass(frozen=True)
class KernelConfig:
    """How a kernel is started and limited. Hashable: equal configs share warm standbys."""

    python: str = ""
    """Interpreter for the worker; empty means the tutor's own."""
    timeout: float = 10.0
    """Wall-clock seconds per cell before SIGINT."""
    grace: float = 1.0
    """Seconds between SIGINT and SIGKILL of the whole process group."""
    start_timeout: float = 60.0
    """Seconds a new worker may take to import its preloads and say hello."""
    memory_mb: int = 4096
    """Address-space limit (RLIMIT_AS) per process in MiB; 0 for none (CUDA kernels)."""
    ram_mb: int = 0
    """RAM for all the kernel's processes together (memory cgroup) in MiB; 0: `memory_mb`, or
    3/4 of the machine when that is 0 too."""
    tmpfs_mb: int = 256
    """Size of the kernel's private /tmp and of its /dev/shm, each, in MiB."""
    cpu_seconds: int = 3600
    """CPU-time backstop for the worker's whole life; the per-cell limit is the wall clock."""
    file_size_mb: int = 64
    open_files: int = 256
    processes: int = 128
    """Extra processes and threads the worker may create (RLIMIT_NPROC over the user's count)."""
    threads: int = 2
    """OMP/OpenBLAS/MKL threads."""
    output_limit: int = 64 * 1024
    """Bytes kept per stream per cell; the rest is dropped with a note."""
    flood_limit: int = 8 * 1024 * 1024
    """Bytes per cell after which the kernel is killed and restarted."""
    preload: tuple[str, ...] = ("numpy",)
    """Modules imported before the first request; failure is reported."""
    optional_preload: tuple[str, ...] = ()
    """Modules imported when present (torch)."""
    isolation: Isolation = field(default_factory=lambda: default_isolation())
    """`strict`: every layer or no kernel at all; `relaxed`: the strongest this machine allows,
    with what is missing said on every use; `none`: no namespaces (still never uid 0).
    Default `strict`, or `TUTOR_KERNEL_ISOLATION` where someone opted in to less (e.g. a CI
    machine without cgroups), so that every kernel of the process follows the same choice."""
    landlock: bool = True
    """Apply Landlock where the kernel has it (a second wall behind the private root)."""
    standby: bool = True
    """Keep one spare worker warm so a restart or a fresh grading kernel is instant."""
    env: tuple[tuple[str, str], ...] = ()
    """Extra environment variables for the worker."""

    def interpreter(self) -> str:
        """The python executable the worker runs under."""
        return self.python or sys.executable

    @property
    def uses_cuda(self) -> bool:
        """torch may be imported, so the view gets the NVIDIA device nodes where there are any."""
        return "torch" in (*self.preload, *self.optional_preload)


@dataclass(frozen=True)
class Layer:
    """One isolation layer: whether it is in force, and how (or why not) in words."""

    name: str
    ok: bool
    detail: str

    @property
    def title(self) -> str:
        """The name `tutor doctor` prints."""
        return LAYER_TITLES.get(self.name, self.name)


@dataclass(frozen=True)
class SandboxLevel:
    """How isolated the worker is: `full` (every layer), `partial` (namespaces, some layer
    missing) or `degraded` (no namespaces), what is missing and why, and each layer."""

    name: str
    missing: tuple[str, ...] = ()
    explanation: str = ""
    layers: tuple[Layer, ...] = ()

    @property
    def full(self) -> bool:
        """Every layer holds."""
        return self.name == "full"

    def as_dict(self) -> dict[str, Any]:
        """For `tutor check --json` and other tools."""
        return {
            "level": self.name,
            "layers": {
                layer.title: {"ok": layer.ok, "detail": layer.detail} for layer in self.layers
            },
            "missing": list(self.missing),
        }

    def __str__(self) -> str:
        if not self.missing:
            return f"{self.name}: {self.explanation}"
        return f"{self.name}: {self.explanation} Missing: {'; '.join(self.missing)}."


@dataclass(frozen=True)
class KernelInfo:
    """What the worker reported at start-up."""

    python: str
    executable: str
    versions: dict[str, str | None]
    limits: dict[str, Any]
    pid: int
    pid_namespace: bool
    network_isolated: bool
    uid: int
    process_limit: str = ""
    """How the process limit is enforced (`pids cgroup (v1), max 136`); empty when it is not."""
    setup_ms: dict[str, float] = field(default_factory=dict)
    """What building the sandbox took inside the worker: `root_ms`, `landlock_ms`."""


@dataclass(frozen=True)
class CellResult:
    """The outcome of one request to the kernel. Output is capped and free of escape sequences."""

    status: CellStatus
    stdout: str = ""
    stderr: str = ""
    error: str = ""
    """Traceback text (learner frames only), or why the kernel died or was stopped."""
    value: str | None = None
    """The repr of a cell's last expression, REPL style."""
    duration: float = 0.0
    restarted: bool = False
    """The kernel was replaced by a fresh one: its variables are gone."""
    exception: str = ""
    """The exception's class name, when status is error."""
    payload: dict[str, Any] = field(default_factory=dict)
    """Op-specific reply data (`defined`, `result`); untrusted, as everything from the worker."""

    @property
    def ok(self) -> bool:
        """The code ran to the end without an exception."""
        return self.status == "ok"


class KernelError(RuntimeError):
    """The kernel could not be started: the message says why."""
