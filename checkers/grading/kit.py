"""The grader author's toolkit: tolerance checks, sign-free matches, readable shapes and inputs.

One copy for every chapter (chapters import it as `from checkers.grading import kit`). Runs in the
tutor's process only and sees plain values the strict loader produced, never learner objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from checkers.grading.compare import TestResult, close
from checkers.grading.source import CallRules, reachable_nodes, rule_violation
from checkers.grading.values import describe

__all__ = [
    "CallRules",
    "TestResult",
    "aligned",
    "as_int",
    "as_number",
    "close",
    "columns_equal_up_to_sign",
    "describe",
    "fail",
    "max_error",
    "ok",
    "planted_spectrum",
    "planted_symmetric",
    "reachable_nodes",
    "returned_error",
    "rule_violation",
    "shape_text",
    "skip",
]


def ok(name: str, message: str = "") -> TestResult:
    """A passed test."""
    return TestResult(name, True, message or "ok")


def fail(name: str, message: str) -> TestResult:
    """A failed test and why."""
    return TestResult(name, False, message)


def skip(name: str, reason: str) -> TestResult:
    """A test that could not run here (no CUDA device): never a pass, never a failure."""
    return TestResult.skip(name, reason)


def returned_error(name: str, outcome: Any) -> TestResult | None:
    """A failed test when the call raised, timed out or returned nothing usable; else None."""
    error = getattr(outcome, "error", "")
    return fail(name, error) if error else None


def max_error(got: np.ndarray, expected: np.ndarray) -> float:
    """Largest absolute difference, or inf when shapes differ or values are not finite."""
    if got.shape != expected.shape:
        return float("inf")
    diff = np.abs(got.astype(float) - expected.astype(float))
    return float(diff.max()) if diff.size else 0.0


def aligned(got: np.ndarray, expected: np.ndarray, tol: float) -> bool:
    """Unit vectors equal up to sign: |got · expected| ≥ 1 − tol and ‖got‖ = 1 ± tol."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    norm = float(np.linalg.norm(got))
    return abs(norm - 1.0) <= tol and abs(float(got @ expected)) >= 1.0 - tol


def columns_equal_up_to_sign(
    got: np.ndarray, expected: np.ndarray, rtol: float, atol: float
) -> bool:
    """Matrices whose columns match up to one sign flip per column (PCA scores, singular
    vectors)."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    for j in range(expected.shape[1]):
        g, e = got[:, j], expected[:, j]
        if not (
            np.allclose(g, e, rtol=rtol, atol=atol) or np.allclose(g, -e, rtol=rtol, atol=atol)
        ):
            return False
    return True


def shape_text(shape: Iterable[int]) -> str:
    """(3, 4) written as 3×4; a vector as (5,)."""
    dims = tuple(shape)
    if len(dims) == 1:
        return f"({dims[0]},)"
    return "×".join(str(d) for d in dims) if dims else "a scalar"


def as_number(value: Any) -> float | None:
    """A Python or 0-d/size-1 numpy number as float; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(()))
    return None


def as_int(value: Any) -> int | None:
    """An exact integer (Python int, integer numpy value, or a float with no fractional part)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iu":
        return int(value.reshape(()))
    return None


def planted_symmetric(rng: np.random.Generator, eigenvalues: np.ndarray) -> np.ndarray:
    """A symmetric matrix with exactly these eigenvalues and random orthonormal eigenvectors."""
    n = len(eigenvalues)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    q = q * np.sign(np.diag(r))
    matrix = (q * eigenvalues) @ q.T
    return (matrix + matrix.T) / 2


def planted_spectrum(rng: np.random.Generator, m: int, n: int, sigma: np.ndarray) -> np.ndarray:
    """An m×n matrix with singular values `sigma` (length min(m, n)) and random singular vectors."""
    k = len(sigma)
    u, _ = np.linalg.qr(rng.standard_normal((m, k)))
    v, _ = np.linalg.qr(rng.standard_normal((n, k)))
    return (u * sigma) @ v.T
