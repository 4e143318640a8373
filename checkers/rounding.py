"""The numeric policy for typed decimals: exact, or correctly rounded to the digits typed (≥ 3).

One rule for every number a learner types into an exercise (values, vector and matrix entries,
eigenvalues, singular values, angles in degrees or radians): a number equal to the expected value
is right; otherwise a decimal is right when it is the expected value correctly rounded to the
significant figures typed, and at least MIN_FIGURES of them. A decimal that is close but wrongly
rounded, or correctly rounded to too few figures, is graded wrong with a "close" message saying
which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

import mpmath
import sympy

from checkers.numeric import EXACT, close, scalars_equal, value_of
from checkers.policy import MIN_FIGURES

CLOSE_ROUNDING = (
    "Close — check the rounding: round the last digit you keep (don't truncate), or give "
    "the exact value."
)
CLOSE_DIGITS = (
    f"Close — give more digits: at least {MIN_FIGURES} significant figures, correctly "
    f"rounded, or the exact value."
)
CLOSE_RTOL = mpmath.mpf("0.01")
"""How near a wrong decimal must be to earn a "close" message rather than a plain wrong."""


@dataclass
class Typed:
    """The number literals an answer was typed with, so a value can be judged by its digits."""

    literals: dict[sympy.Rational, list[str]] = field(default_factory=dict)
    """Each literal's exact value → the texts typed for it (e.g. 1107/1000 → ["1.107"])."""
    figures: int | None = None
    """Fewest significant figures among the decimals typed (None when no decimal was typed)."""
    degrees: bool = False

    def add(self, text: str, value: sympy.Rational) -> None:
        """Record one literal as typed."""
        self.literals.setdefault(value, []).append(text)
        if is_decimal(text):
            self.figures = min(self.figures or 99, significant_figures(text)[1])


def is_decimal(text: str) -> bool:
    """Whether a literal has a decimal point or a power of ten."""
    return "." in text or "e" in text.lower()


def judge(student: sympy.Expr, expected: sympy.Expr, typed: Typed) -> tuple[bool, str]:
    """Right or wrong under the policy; feedback is a "close" message or "" (no specific reason)."""
    target = value_of(expected)
    if target is None or student.free_symbols:
        return bool(scalars_equal(student, expected, EXACT)), ""
    value = value_of(student)
    if value is not None and close(value, target, EXACT):
        return True, ""
    if target.imag != 0:
        return False, ""
    with mpmath.workdps(60):
        return _judge(student, value, target, typed)


def _judge(
    student: sympy.Expr, value: mpmath.mpc | None, target: mpmath.mpc, typed: Typed
) -> tuple[bool, str]:
    found = _literal(student, typed)
    if found is not None:
        text, scale = found
        return _judge_literal(
            text,
            Decimal(mpmath.nstr(target.real * scale, 45, strip_zeros=False)),
            sign=_sign(student),
        )
    if typed.figures is None or value is None or value.imag != 0:
        return False, ""
    # A value computed from decimals ([2, 1]/2.236) carries their rounding errors: judge it to one
    # figure fewer than the fewest typed.
    figures = typed.figures - 1
    computed, wanted = _decimal(value.real), _decimal(target.real)
    if figures >= MIN_FIGURES and round_sigfigs(computed, figures) == round_sigfigs(
        wanted, figures
    ):
        return True, ""
    if wanted != 0 and abs(computed - wanted) <= abs(wanted) * Decimal(str(CLOSE_RTOL)):
        return False, CLOSE_DIGITS if figures < MIN_FIGURES else CLOSE_ROUNDING
    return False, ""


def _literal(student: sympy.Expr, typed: Typed) -> tuple[str, mpmath.mpf] | None:
    """The literal the value was typed as (in degrees when it carries °), and the target's scale."""
    candidates = [(student, mpmath.mpf(1))]
    if typed.degrees:
        candidates.insert(0, (student * 180 / sympy.pi, 180 / mpmath.pi))
    for value, scale in candidates:
        if isinstance(value, sympy.Rational):
            texts = typed.literals.get(abs(value))
            if texts:
                return max(texts, key=lambda text: significant_figures(text)[1]), scale
    return None


def _sign(value: sympy.Expr) -> int:
    return -1 if value.is_negative else 1


def _decimal(number: mpmath.mpf) -> Decimal:
    return Decimal(mpmath.nstr(number, 45, strip_zeros=False))


def _judge_literal(text: str, target: Decimal, *, sign: int) -> tuple[bool, str]:
    typed_value = Decimal(text.lstrip("+")) * sign
    low, high = significant_figures(text)
    return _verdict(typed_value, target, low, high)


def _verdict(typed_value: Decimal, target: Decimal, low: int, high: int) -> tuple[bool, str]:
    """Right when correctly rounded to some figure count the literal shows, at least MIN_FIGURES."""
    matches = [
        figures for figures in range(low, high + 1) if typed_value == round_sigfigs(target, figures)
    ]
    if any(figures >= MIN_FIGURES for figures in matches):
        return True, ""
    if any(figures >= 2 for figures in matches):
        # One significant figure (60° for 63.4°) is too crude to call close.
        return False, CLOSE_DIGITS
    if target != 0 and abs(typed_value - target) <= abs(target) * Decimal(str(CLOSE_RTOL)):
        return False, CLOSE_ROUNDING
    return False, ""


def is_close_message(feedback: str) -> bool:
    """Whether feedback is one of the policy's "close" messages."""
    return feedback in (CLOSE_ROUNDING, CLOSE_DIGITS)


def relative_tolerance(typed: Typed) -> float:
    """For property checks on typed decimals (A v = σ u, unit length): half a unit in the last place
    of the least precise decimal typed, with room for a few rounded entries adding up."""
    figures = typed.figures or 15
    return float(10.0 ** (1 - figures))


def significant_figures(text: str) -> tuple[int, int]:
    """The range of significant figures a typed number shows (1000 may have 1 to 4)."""
    mantissa = text.lower().lstrip("+-").partition("e")[0]
    digits = mantissa.replace(".", "").lstrip("0")
    if not digits:
        return 1, 1
    if "." in mantissa:
        return len(digits), len(digits)
    stripped = digits.rstrip("0")
    return len(stripped), len(digits)


def round_sigfigs(number: Decimal, figures: int) -> Decimal:
    """Round half away from zero to `figures` significant figures."""
    return _quantize(number, figures, ROUND_HALF_UP)


def truncate_sigfigs(number: Decimal, figures: int) -> Decimal:
    """Chop (not round) to `figures` significant figures."""
    return _quantize(number, figures, ROUND_DOWN)


def _quantize(number: Decimal, figures: int, rounding: str) -> Decimal:
    if number == 0:
        return Decimal(0)
    with localcontext() as context:
        context.prec = 80
        exponent = number.adjusted() - figures + 1
        return number.quantize(Decimal(1).scaleb(exponent), rounding=rounding)
