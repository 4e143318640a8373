"""The sandboxed code kernel: a warm subprocess worker with limits, timeouts and crash recovery."""

from __future__ import annotations

from checkers.kernel.config import (
    CellResult,
    CellStatus,
    KernelConfig,
    KernelError,
    KernelInfo,
    SandboxLevel,
)
from checkers.kernel.kernel import Kernel, discard_standbys, prewarm
from checkers.kernel.output import sanitize

__all__ = [
    "CellResult",
    "CellStatus",
    "Kernel",
    "KernelConfig",
    "KernelError",
    "KernelInfo",
    "SandboxLevel",
    "discard_standbys",
    "prewarm",
    "sanitize",
]
