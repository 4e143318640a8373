"""Scalar comparison: 50-digit numeric evaluation first, random points for variables, tolerances."""

from __future__ import annotations

import random
from dataclasses import dataclass

import mpmath
import sympy

DIGITS = 50
EXACT_RTOL = mpmath.mpf("1e-40")
"""Two constants agreeing this closely at 50 digits are the same number."""
SLACK = mpmath.mpf("1e-9")
"""STACK's slack on numeric boundaries: a boundary case passes despite decimal-to-binary noise."""
POINTS = 6


@dataclass(frozen=True)
class Tolerance:
    """How close is close enough: exact, or |s − t| ≤ atol + rtol·|t| (boundary inclusive)."""

    rtol: float | None = None
    atol: float | None = None

    @property
    def exact(self) -> bool:
        return self.rtol is None and self.atol is None


EXACT = Tolerance()


def value_of(expr: sympy.Expr) -> mpmath.mpc | None:
    """The expression as a 50-digit complex number, or None when it is not a finite number."""
    try:
        evaluated = sympy.N(expr, DIGITS)
        real, imag = evaluated.as_real_imag()
        if not (real.is_Number and imag.is_Number):
            return None
        with mpmath.workdps(DIGITS + 10):
            number = mpmath.mpc(
                mpmath.mpf(str(real)) if real != 0 else 0, mpmath.mpf(str(imag)) if imag != 0 else 0
            )
        if not (mpmath.isfinite(number.real) and mpmath.isfinite(number.imag)):
            return None
        return number
    except (TypeError, ValueError, ArithmeticError, AttributeError, RecursionError):
        return None


def close(student: mpmath.mpc, expected: mpmath.mpc, tolerance: Tolerance) -> bool:
    """Whether two numbers agree, exactly (to 40 digits) or within the tolerance, boundary
    inclusive."""
    with mpmath.workdps(DIGITS + 10):
        gap = abs(student - expected)
        size = abs(expected)
        if tolerance.exact:
            return bool(gap <= EXACT_RTOL * max(size, mpmath.mpf(1)))
        bound = mpmath.mpf(tolerance.atol or 0) + mpmath.mpf(tolerance.rtol or 0) * size
        return bool(gap <= bound * (1 + SLACK) + mpmath.mpf("1e-40"))


def scalars_equal(
    student: sympy.Expr, expected: sympy.Expr, tolerance: Tolerance = EXACT, *, real: bool = False
) -> bool | None:
    """True/False when decided; None when neither side could be evaluated (not a number)."""
    symbols = sorted(student.free_symbols | expected.free_symbols, key=lambda s: s.name)
    if not symbols:
        left, right = value_of(student), value_of(expected)
        if left is None or right is None:
            return _symbolic_equal(student, expected) if left is None and right is None else False
        return close(left, right, tolerance)
    return _equal_at_points(student, expected, symbols, tolerance, real=real)


def _equal_at_points(
    student: sympy.Expr,
    expected: sympy.Expr,
    symbols: list[sympy.Symbol],
    tolerance: Tolerance,
    *,
    real: bool,
) -> bool | None:
    """Compare at random non-integer points of both signs (and complex points unless `real`)."""
    rng = random.Random(f"{student}|{expected}")
    agreed = 0
    for attempt in range(POINTS * 4):
        point = {
            symbol: _sample(rng, complex_point=not real and attempt % 3 == 2) for symbol in symbols
        }
        left = value_of(student.xreplace(point))
        right = value_of(expected.xreplace(point))
        if left is None or right is None:
            if (left is None) != (right is None) and attempt >= POINTS:
                return False
            continue
        if not close(left, right, tolerance):
            return False
        agreed += 1
        if agreed >= POINTS:
            return True
    return True if agreed >= 3 else None


def _sample(rng: random.Random, *, complex_point: bool) -> sympy.Expr:
    real = sympy.Rational(rng.randint(230, 2770), 997) * rng.choice((-1, 1))
    if complex_point:
        return real + sympy.I * sympy.Rational(rng.randint(230, 2770), 991)
    return real


def _symbolic_equal(student: sympy.Expr, expected: sympy.Expr) -> bool | None:
    """Last resort for values numeric evaluation cannot settle (e.g. both infinite)."""
    if student == expected:
        return True
    try:
        return bool(sympy.simplify(student - expected) == 0)
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return None
