"""Mistake detectors: given a wrong answer, name the likely slip in one specific hint."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import mpmath
import sympy

from checkers.build import Seq, is_scalar
from checkers.numeric import Tolerance, close, scalars_equal, value_of
from checkers.rounding import relative_tolerance

if TYPE_CHECKING:
    from checkers.build import Answer, Value
    from checkers.equivalence import Options

TRANSPOSE = "That is the transpose of the answer: rows and columns are swapped."
NEAR = Tolerance(rtol=1.5e-3)
"""Detectors only choose the message, so a rounded decimal still counts as "that slip"."""


_NEAR_NOW: ContextVar[Tolerance] = ContextVar("near", default=NEAR)
"""The tolerance of the detection under way: wider when the learner typed few decimal digits."""


def detect(student: Value, expected: Value, kind: str, answer: Answer | None = None) -> str | None:
    """One hint for a wrong answer, or None when no known slip explains it."""
    near = NEAR
    if answer is not None and answer.decimal:
        # 1.11 typed for −θ = −1.10715… is the sign slip, rounded to the digits typed.
        near = Tolerance(
            rtol=max(NEAR.rtol or 0, min(5e-3, 0.5 * relative_tolerance(answer.typed)))
        )
    token = _NEAR_NOW.set(near)
    try:
        return _detect(student, expected, kind, answer)
    finally:
        _NEAR_NOW.reset(token)


def _detect(student: Value, expected: Value, kind: str, answer: Answer | None) -> str | None:
    if is_scalar(student) and is_scalar(expected):
        return _scalar(student, expected, kind, answer)
    if isinstance(student, Seq) and isinstance(expected, (Seq, sympy.MatrixBase)):
        wanted = list(expected.items) if isinstance(expected, Seq) else list(expected)
        return _vector(list(student.items), wanted, kind)
    if isinstance(student, sympy.MatrixBase) and isinstance(expected, sympy.MatrixBase):
        if student.shape == expected.shape and _all_close(list(student), [-x for x in expected]):
            return "Check the signs: every entry has the opposite sign."
    return None


def _number(expr: Any) -> mpmath.mpc | None:
    return value_of(expr) if is_scalar(expr) else None


def _is(s: mpmath.mpc, t: Any) -> bool:
    return close(s, t, _NEAR_NOW.get())


def _scalar(
    student: sympy.Expr, expected: sympy.Expr, kind: str, answer: Answer | None
) -> str | None:
    s, t = _number(student), _number(expected)
    if s is None or t is None:
        return None
    degrees = bool(answer and answer.degrees)
    if kind == "rank" and (s.imag != 0 or s.real != mpmath.nint(s.real) or s.real < 0):
        return "A rank is a whole number, 0 or more: the number of independent rows."
    if kind == "angle":
        hint = _angle(s, t, degrees)
        if hint:
            return hint
    if kind == "cosine" and abs(s.real) <= 4 and abs(t.real) <= 1 and _is(s, mpmath.acos(t.real)):
        return "That is the angle θ; the question asks for cos θ."
    if kind == "cosine" and _is(s, mpmath.degrees(mpmath.acos(t.real))):
        return "That is the angle in degrees; the question asks for cos θ."
    if t != 0 and _is(s, -t):
        return "Check the sign."
    if kind != "angle" and t != 0 and abs(t) != 1 and _is(s, 1 / t):
        return "That is the reciprocal of the answer: check which way up the fraction goes."
    if abs(t) not in (0, 1) and _is(s, t * t):
        return {
            "norm": "That is ‖v‖², the squared norm; take the square root.",
            "singular_value": "That is σ², an eigenvalue of AᵀA; the "
            "singular value is its square root.",
        }.get(kind, "That is the square of the answer; take the square root.")
    if (
        kind != "angle"
        and t.imag == 0
        and t.real > 0
        and abs(t) != 1
        and _is(s, mpmath.sqrt(t.real))
    ):
        return "That is the square root of the answer; did you take a root you did not need?"
    if t != 0 and s != 0:
        ratio = abs(s / t)
        power = mpmath.log10(ratio)
        nearest = int(mpmath.nint(power))
        if nearest != 0 and abs(nearest) <= 6 and abs(power - nearest) < mpmath.mpf("1e-3"):
            return "Check the decimal point: that is off by a power of ten."
    return None


def _angle(s: mpmath.mpc, t: mpmath.mpc, degrees: bool) -> str | None:
    if not degrees and _is(s, t * 180 / mpmath.pi):
        return "That is the angle in degrees: add the unit (°) or give it in radians."
    if degrees and _is(s, t * mpmath.pi / 180):
        return "That number is the angle in radians; drop the ° sign (or convert to degrees)."
    if abs(t.real) <= 4 and _is(s, mpmath.cos(t.real)):
        return "That is cos θ; apply arccos to get the angle."
    if _is(s, mpmath.pi - t):
        return "That is 180° − θ: check the sign of the dot product."
    if not _is(t, mpmath.pi / 2) and _is(s, mpmath.pi / 2):
        return "That is a right angle (90°), which needs a·b = 0: recheck the dot product."
    if t.real < mpmath.pi / 2 and _is(s, mpmath.pi / 2 - t):
        return (
            "That is 90° − θ, the complementary angle: θ = arccos(a·b / (‖a‖‖b‖)); "
            "check which ratio you took (arctan and arcsin take different ones)."
        )
    return None


def _vector(student: list[Any], expected: list[Any], kind: str) -> str | None:
    if len(student) != len(expected):
        return None
    if _all_close(student, [-x for x in expected]):
        return "Check the signs: that is the negative of the answer."
    if kind == "unit" and _parallel(student, expected):
        return "Right direction, but not length 1: divide by the vector's norm."
    return None


def _all_close(student: list[Any], expected: list[Any]) -> bool:
    values = [(_number(s), _number(t)) for s, t in zip(student, expected, strict=False)]
    return all(s is not None and t is not None and _is(s, t) for s, t in values)


def _parallel(student: list[Any], expected: list[Any]) -> bool:
    """Whether the student's vector is a positive multiple of the expected one."""
    pairs = [(_number(s), _number(t)) for s, t in zip(student, expected, strict=False)]
    if any(s is None or t is None for s, t in pairs):
        return False
    pivot = next(((s, t) for s, t in pairs if abs(t) > 0), None)  # type: ignore[arg-type]
    if pivot is None or pivot[0] == 0:
        return False
    factor = pivot[0] / pivot[1]  # type: ignore[operator]
    if factor.real <= 0:
        return False
    return all(_is(s, t * factor) for s, t in pairs)


def is_transpose(student: sympy.MatrixBase, expected: sympy.MatrixBase, options: Options) -> bool:
    """Whether the learner typed the transpose of the expected square matrix."""
    if student.shape != expected.shape[::-1] or expected == expected.T:
        return False
    flipped = expected.T
    return all(
        bool(scalars_equal(student[i, j], flipped[i, j], options.tolerance, real=options.real))
        for i in range(student.shape[0])
        for j in range(student.shape[1])
    )
