"""Trusted grader for 1.ex13 (center_columns): the worked example of the grading API.

A grader picks inputs from the seeded `rng`, computes the reference here in the parent, calls the
learner's function through the harness (a fresh sandboxed kernel that gets copies of the inputs)
and compares with explicit tolerances. Predicted mistakes turn a bare "wrong" into a diagnosis.
"""

from __future__ import annotations

import numpy as np

from checkers.grading import Harness, Mistake, TestResult, compare_arrays


def center_columns_reference(X: np.ndarray) -> np.ndarray:
    """Each column minus its mean: broadcasting a (d,) row of means over (n, d)."""
    return X - X.mean(axis=0)


def _mistakes(X: np.ndarray) -> list[Mistake]:
    """Wrong answers learners really give, computed here so the feedback can name them."""
    if X.shape[0] == 1:
        # One row: its mean is the whole matrix's mean, so this input cannot tell those two apart.
        means = [
            Mistake(
                X - X.mean(),
                "You subtracted one mean of all the entries (with one row, the row's mean is the "
                "whole matrix's); take one mean per column (axis=0).",
            )
        ]
    else:
        means = [
            Mistake(
                X - X.mean(axis=1, keepdims=True),
                "You subtracted each row's mean (axis=1); columns are axis=0.",
            ),
            Mistake(
                X - X.mean(),
                "You subtracted the mean of the whole matrix; take one mean per column (axis=0).",
            ),
        ]
    mistakes = [
        *means,
        Mistake(X - X.mean(axis=0).sum(), "You subtracted one number, not one mean per column."),
        Mistake(
            X.mean(axis=0) - X,
            "The sign is flipped: compute X minus the column means, not the reverse.",
        ),
    ]
    spread = X.std(axis=0)
    if np.all(spread > 0):
        mistakes.append(
            Mistake(
                (X - X.mean(axis=0)) / spread,
                "You also divided by the standard deviation: that standardises; centring only "
                "subtracts the mean.",
            )
        )
    if X.shape[0] == X.shape[1]:
        mistakes.append(
            Mistake(
                X - X.mean(axis=1)[None, :], "You broadcast the row means across columns (axis=1)."
            )
        )
    return mistakes


def _cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """Activations with a different offset and scale per column, so a wrong axis shows."""
    activations = rng.normal(loc=rng.uniform(-5, 5, 4), scale=rng.uniform(0.5, 3, 4), size=(100, 4))
    square = rng.normal(loc=rng.uniform(-3, 3, 5), scale=1.0, size=(5, 5))
    return [
        ("(100, 4) activations", activations),
        ("(5, 5): rows and columns alike in shape", square),
        ("(1, 3): a single row", rng.normal(size=(1, 3))),
        ("(7, 1): a single column", rng.normal(loc=2.0, size=(7, 1))),
        ("(50, 3) integers", rng.integers(-20, 20, size=(50, 3))),
    ]


def grade_ex13(harness: Harness, rng: np.random.Generator) -> list[TestResult]:
    """`center_columns(X)` returns X with each column's mean subtracted, in one expression."""
    results: list[TestResult] = []
    for label, X in _cases(rng):
        expected = center_columns_reference(X.astype(np.float64))
        outcome = harness.call("center_columns", X)
        results.append(
            compare_arrays(
                outcome,
                expected,
                name=label,
                rtol=1e-9,
                atol=1e-9,
                mistakes=_mistakes(X.astype(np.float64)),
            )
        )
    body = harness.code.statements("center_columns")
    loops = harness.code.loops("center_columns")
    one_line = body == 1 and loops == 0
    results.append(
        TestResult(
            "one expression, no loops",
            one_line,
            "center_columns is a single return of a broadcast expression."
            if one_line
            else f"center_columns has {body} statements and {loops} loops; "
            "write it as one line: return X - X.mean(axis=0).",
        )
    )
    return results
