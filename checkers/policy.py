"""What a learner is told about typed numbers: the rounding policy in one sentence, and which
answer tests take numbers. Standard library only, so the app can show it before sympy loads.
"""

from __future__ import annotations

MIN_FIGURES = 3
"""Fewest significant figures a decimal answer may have (when it is not exactly the value)."""
POLICY = f"exact, or a decimal correctly rounded to ≥ {MIN_FIGURES} significant figures"
# No example values: beside some box an example would be that box's answer. Short enough to stand
# in an 80-column answer box as its placeholder.
"""The numeric policy, shown beside every numeric answer box and in the README."""
NUMERIC_TESTS = frozenset(
    {
        "value",
        "vector",
        "matrix",
        "angle",
        "unit_vector",
        "eigenvalues",
        "eigenpair",
        "svd_triplet",
        "svd_vector",
    }
)
"""Answer tests whose answers are numbers (choices and proofs are not)."""


def policy_for(test: str) -> str:
    """The policy line to show beside a part checked by `test`, or "" when it takes no numbers."""
    return POLICY if test in NUMERIC_TESTS else ""
