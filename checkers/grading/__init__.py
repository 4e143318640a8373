"""Grading code in a fresh sandboxed kernel: parent-chosen inputs, strict results, trusted comparisons."""

from __future__ import annotations

from checkers.grading.compare import Mistake, TestResult, compare_arrays, compare_exact, compare_scalar
from checkers.grading.harness import (
    Call,
    CallOutcome,
    GradeReport,
    Grader,
    GradingError,
    Harness,
    grade,
    read_source,
    run_calls,
)
from checkers.grading.npy import NpyError, load_npy
from checkers.grading.source import SourceInfo, check_avoids, check_uses
from checkers.grading.values import AsTensor, Opaque, Tensor, describe

__all__ = [
    "AsTensor",
    "Call",
    "CallOutcome",
    "GradeReport",
    "Grader",
    "GradingError",
    "Harness",
    "Mistake",
    "NpyError",
    "Opaque",
    "SourceInfo",
    "Tensor",
    "TestResult",
    "check_avoids",
    "check_uses",
    "compare_arrays",
    "compare_exact",
    "compare_scalar",
    "describe",
    "grade",
    "load_npy",
    "read_source",
    "run_calls",
]
