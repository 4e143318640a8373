"""A lab's measurement plan: the steps a kernel holding the learner's file runs, and their rows.

Chapters build their plans from these pieces (trusted code, shipped with the chapter); the tutor
runs the steps in a sandboxed kernel and reads back each row a step prints as one marker line. Rows
are data from a kernel that ran learner code: `parse_row` bounds and checks them before anyone draws
them.
"""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MARKER = "@@lab"
"""First word of every row line; the second is the run's nonce, so a learner's own prints of
`@@lab …` never pass for a measurement."""
_CONSTANTS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
MAX_ROW_CHARS = 64 * 1024
"""A row line longer than this is ignored (the kernel keeps 64 KiB of output per cell anyway)."""


@dataclass(frozen=True)
class Step:
    """One measurement step: what the progress line names, and the code the kernel runs."""

    title: str
    """`np.dot`: what is measured."""
    code: str
    """Trusted code run after the prelude and the learner's file; it calls `emit({...})` per row."""
    size: str = ""
    """`n = 1024`: the problem size, shown beside the title while the step runs."""
    work: float = 1.0
    """Expected cost relative to the plan's other steps, for the time-left estimate."""


@dataclass(frozen=True)
class LabInputs:
    """Arrays a lab's steps use as variables, a sentence on where they came from, point labels."""

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    source: str = ""
    labels: list[str] = field(default_factory=list)


def prelude(nonce: str) -> str:
    """Trusted code run once before the steps: `best(fn, reps)` and `emit(row)`."""
    return f"""
import json as _tutor_json, time as _tutor_time
import numpy as np

def best(fn, reps):
    fastest = float("inf")
    for _ in range(reps):
        start = _tutor_time.perf_counter()
        fn()
        fastest = min(fastest, _tutor_time.perf_counter() - start)
    return fastest

def emit(row):
    print({MARKER!r} + " " + {nonce!r} + " " + _tutor_json.dumps(row), flush=True)
"""


def new_nonce() -> str:
    """A fresh run's nonce."""
    return secrets.token_hex(8)


def timed(
    title: str,
    *,
    table: str,
    setup: str,
    call: str,
    reps: int = 3,
    size: str = "",
    work: float = 1.0,
    row: dict[str, Any] | None = None,
    rate: str = "",
) -> Step:
    """A step that times `call` (best of `reps`) after `setup` and emits one row of `table`.

    The row holds `seconds` (per call) and, when `rate` is an expression of the setup's names
    giving the work of one call in floating-point operations, `gflops`.
    """
    fields = {"table": table, **(row or {})}
    code = f"{setup}\n_s = best(lambda: {call}, {int(reps)})\n"
    code += f"_row = {fields!r}\n_row['seconds'] = _s\n"
    if rate:
        code += f"_row['gflops'] = ({rate}) / _s / 1e9\n"
    code += "emit(_row)\n"
    return Step(title, code, size, work)


def parse_row(line: str, nonce: str) -> dict[str, Any] | None:
    """The row of one output line of this run, or None for any other line or a malformed row."""
    prefix = f"{MARKER} {nonce} "
    if not line.startswith(prefix) or len(line) > MAX_ROW_CHARS:
        return None
    try:
        row = json.loads(line[len(prefix) :], parse_constant=_CONSTANTS.get)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(row, dict) or not isinstance(row.get("table"), str):
        return None
    return row
