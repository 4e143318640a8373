"""Grading code in a fresh sandboxed kernel: parent-chosen inputs, strict results, trusted
comparisons.

The one toolkit for graders of every chapter: `compare` (typed checks with feedback), `kit`
(tolerances, sign-free matches, shapes, planted inputs, call rules), `calls` (one learner call in,
one plain value out; fresh trusted kernels) and `source` (checks on the source text).
"""

from __future__ import annotations

from checkers.grading.compare import (
    Mistake,
    TestResult,
    close,
    compare_arrays,
    compare_exact,
    compare_scalar,
)
from checkers.grading.harness import (
    Call,
    CallOutcome,
    Grader,
    GradeReport,
    GradingError,
    Harness,
    Unparsable,
    grade,
    read_source,
    run_calls,
)
from checkers.grading.npy import NpyError, load_npy
from checkers.grading.source import CallRules, SourceInfo, check_avoids, check_uses, rule_violation
from checkers.grading.values import AsTensor, Opaque, Tensor, describe

__all__ = [
    "AsTensor",
    "Call",
    "CallRules",
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
    "Unparsable",
    "check_avoids",
    "check_uses",
    "close",
    "compare_arrays",
    "compare_exact",
    "compare_scalar",
    "describe",
    "grade",
    "load_npy",
    "read_source",
    "rule_violation",
    "run_calls",
]
