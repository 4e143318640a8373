"""How graders talk to the grading harness: one call in, one plain trusted value out.

Turns `checkers.grading` outcomes into (value, error, kind): torch results become their numpy
arrays with kind "torch", numpy scalars become Python numbers, anything else stays as the harness
decoded it (an `Opaque` for objects the strict loader refused).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from checkers.grading.compare import TestResult
from checkers.grading.harness import Harness
from checkers.grading.values import AsTensor, Opaque, Tensor, describe
from checkers.kernel import KernelConfig

__all__ = [
    "Outcome",
    "TestResult",
    "cuda_available",
    "fresh_kernel_run",
    "invoke",
    "source_text",
    "trusted_config",
]


def source_text(harness: Harness) -> str:
    """The learner's file as text (for AST rules checked in the parent)."""
    source = harness.source
    return source if isinstance(source, str) else str(source.text)


@dataclass(frozen=True)
class Outcome:
    """One learner call as the graders see it."""

    value: Any = None
    error: str = ""
    """Why there is no value (raised, timed out, missing function), in the learner's words."""
    kind: str = ""
    """`numpy`, `torch`, `number`, `tuple`, `other` or `opaque`."""
    kind_text: str = ""
    """What came back, for feedback: `torch float32 tensor of shape (4, 3, 2) on cpu`."""


def _plain(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.array
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return value.item()
    if isinstance(value, (tuple, list)):
        return tuple(_plain(item) for item in value)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, Tensor):
        return "torch"
    if isinstance(value, np.ndarray):
        return "numpy"
    numeric = isinstance(value, (int, float, np.integer, np.floating))
    if numeric and not isinstance(value, (bool, np.bool_)):
        return "number"
    if isinstance(value, (tuple, list)):
        return "tuple"
    if isinstance(value, Opaque):
        return "opaque"
    return "other"


def _wrap(arg: Any, as_torch: bool) -> Any:
    return AsTensor(arg) if as_torch and isinstance(arg, np.ndarray) else arg


def invoke(
    harness: Harness,
    function: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any] | None = None,
    *,
    torch_args: bool = False,
    timeout: float | None = None,
) -> Outcome:
    """Call `function` in the grading kernel; array arguments become tensors when `torch_args`."""
    wrapped = tuple(_wrap(arg, torch_args) for arg in args)
    named = {key: _wrap(value, torch_args) for key, value in (kwargs or {}).items()}
    outcome = harness.call(function, *wrapped, timeout=timeout, **named)
    if not outcome.ok:
        return Outcome(error=outcome.problem(), kind="error", kind_text="no value")
    value = outcome.value
    kind = _kind(value)
    text = describe(value)
    if kind == "opaque":
        return Outcome(value, "", kind, text + (f" ({value.text})" if value.text else ""))
    return Outcome(_plain(value), "", kind, text)


ROLE = ("TUTOR_KERNEL_ROLE", "trusted")
"""Marks a trusted measuring kernel's config."""


def trusted_config(config: KernelConfig) -> KernelConfig:
    """The config of a trusted measuring kernel beside a grading kernel of `config`.

    Only its role differs (an environment variable no code reads), which makes it a different
    key for warm standbys: a screen that prewarms both gets a check with no kernel start in it.
    """
    if ROLE in config.env:
        return config
    # No spare behind it: a trusted run is one-off, and a spare starting would compete for the CPU.
    return dataclasses.replace(config, env=(*config.env, ROLE), standby=False)


@dataclass(frozen=True)
class KernelRun:
    """Values from a run in a separate fresh kernel, or why it failed."""

    values: list[Any] = field(default_factory=list)
    error: str = ""


def fresh_kernel_run(
    harness: Harness,
    *,
    load_learner: bool,
    setup: str,
    calls: list[tuple[str, tuple[Any, ...]]],
    timeout: float = 120.0,
    cuda: bool = False,
) -> KernelRun:
    """Make `calls` in a new kernel holding `setup` (after the learner's file when `load_learner`).

    Trusted measurements pass `load_learner=False`: that kernel never ran learner code, and it
    starts after the learner's kernel work is done, so nothing the learner left running competes.
    """
    source = f"{source_text(harness)}\n\n{setup}" if load_learner else setup
    config = harness.config if load_learner else trusted_config(harness.config)
    if cuda:
        # CUDA reserves far more address space than a CPU kernel's RLIMIT_AS allows.
        config = dataclasses.replace(config, memory_mb=0, timeout=timeout)
    with Harness(source, harness.filename if load_learner else "<trusted>", config) as other:
        if other.load_error:
            return KernelRun(error=other.load_error)
        values = []
        for function, args in calls:
            outcome = other.call(function, *args, timeout=timeout)
            if not outcome.ok:
                return KernelRun(error=outcome.problem())
            values.append(_plain(outcome.value))
        return KernelRun(values)


CUDA_CHECK = """
def _tutor_cuda():
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())
"""


def cuda_available(harness: Harness) -> bool:
    """Whether the kernel's interpreter has torch with a CUDA device (asked in a trusted kernel)."""
    if not any(Path("/dev").glob("nvidia[0-9]*")) and not Path("/proc/driver/nvidia").exists():
        return False  # no NVIDIA driver on this machine: skip without starting torch
    run = fresh_kernel_run(
        harness, load_learner=False, setup=CUDA_CHECK, calls=[("_tutor_cuda", ())], cuda=True
    )
    return bool(run.values and run.values[0] is True)
