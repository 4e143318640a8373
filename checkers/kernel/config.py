"""Typed settings and results of the code kernel (no process handling here)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Literal

CellStatus = Literal["ok", "error", "timeout", "interrupted", "crashed", "output_limit"]
Isolation = Literal["auto", "namespaces", "none"]


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
    """Address-space limit (RLIMIT_AS) in MiB; 0 for none (CUDA kernels)."""
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
    isolation: Isolation = "auto"
    """`auto`: namespaces where the OS allows, else degraded; `none`: never try them."""
    drop_privileges: bool = True
    """When the tutor runs as root, run the worker as nobody where its interpreter allows."""
    standby: bool = True
    """Keep one spare worker warm so a restart or a fresh grading kernel is instant."""
    env: tuple[tuple[str, str], ...] = ()
    """Extra environment variables for the worker."""

    def interpreter(self) -> str:
        """The python executable the worker runs under."""
        return self.python or sys.executable


@dataclass(frozen=True)
class SandboxLevel:
    """How isolated the worker is: `full`, `partial` or `degraded`, what is missing and why."""

    name: str
    missing: tuple[str, ...] = ()
    explanation: str = ""

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
    """The kernel could not be started (bad interpreter, missing numpy, ...); the message says why."""
