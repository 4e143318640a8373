"""`equivalent`: is the learner's answer the expected value? Structure first, then numbers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import sympy

from checkers import mistakes, rounding
from checkers.build import Answer, Labelled, Seq, SetOf, Value, is_scalar, parse
from checkers.numeric import EXACT, Tolerance, scalars_equal, value_of
from checkers.rounding import round_sigfigs, significant_figures, truncate_sigfigs
from checkers.syntax import PLAIN, AnswerError, Names
from checkers.verdict import Verdict


@dataclass(frozen=True)
class Options:
    """How one comparison is made; answer tests set these from the exercise's part options."""

    tolerance: Tolerance = EXACT
    sigfigs: int | None = None
    real: bool = False
    unordered: bool = False
    """Compare lists (and vectors) as multisets: order does not matter, multiplicity does."""
    any_label: bool = False
    """Accept any `name =` label before a value (exercise parts); otherwise only λ, σ₁, u1 style."""
    kind: str = ""
    """What the value is ("norm", "angle", "singular_value", …) for the mistake detectors'
    wording."""
    typed: rounding.Typed | None = None
    """Set to the answer's literals to judge numbers by the rounding policy (checkers.rounding)
    instead of `tolerance`."""


def equivalent(
    student: str,
    expected: str,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    sigfigs: int | None = None,
    rounded: bool = False,
    real: bool = False,
) -> Verdict:
    """Whether `student` is mathematically `expected` (exactly, or within rtol/atol, or to sigfigs).

    `rounded=True` applies the exercises' policy (checkers.rounding): exact, or a decimal correctly
    rounded to the figures typed, at least 3. `{…}` on both sides compare as sets; bare comma lists
    and vectors compare in order; letters are variables (exercises refuse them, see answer_tests).
    Raises ValueError if `expected` itself cannot be read (an authoring error).
    """
    options = Options(
        tolerance=Tolerance(rtol=rtol, atol=atol),
        sigfigs=sigfigs,
        real=real,
        typed=rounding.Typed() if rounded else None,
    )
    try:
        target = parse(expected, real=real)
    except AnswerError as exc:
        raise ValueError(f"expected answer {expected!r} cannot be read: {exc}") from None
    return check_text(student, target.value, options)


def check_text(student: str, expected: Value, options: Options, *, names: Names = PLAIN) -> Verdict:
    """Parse the learner's text and compare it with `expected` (`names`: NUMBERS_ONLY refuses
    letters)."""
    try:
        answer = parse(student, real=options.real, names=names)
    except AnswerError as exc:
        return Verdict(False, f"Could not read your answer: {exc}.", unreadable=True)
    if options.typed is not None:
        options = replace(options, typed=answer.typed)
    try:
        ok, feedback = compare_answer(answer, expected, options)
    except (ValueError, ArithmeticError, RecursionError) as exc:
        # sympy's own limits (e.g. Python's 4300-digit int/str limit) on an odd answer
        return Verdict(
            False,
            f"Could not check this answer ({type(exc).__name__}); write it more simply.",
            answer.read_as,
            unreadable=True,
        )
    return Verdict(ok, feedback, answer.read_as)


def compare_answer(answer: Answer, expected: Value, options: Options) -> tuple[bool, str]:
    """Compare a parsed answer (labels stripped) with the expected value; feedback when wrong."""
    try:
        value = strip_labels(answer.value, any_label=options.any_label)
    except AnswerError as exc:
        return False, str(exc)
    if options.sigfigs is not None and is_scalar(expected):
        return _sigfigs(answer, value, expected, options.sigfigs)
    ok, feedback = compare(value, expected, options)
    if ok or feedback:
        return ok, feedback
    hint = mistakes.detect(value, expected, options.kind, answer)
    if hint:
        return False, hint
    if options.tolerance.exact and answer.decimal and _near(value, expected):
        return False, "Your decimal is close, but this answer must be exact (e.g. √2, 1/3 or π/4)."
    return False, "Not right."


def strip_labels(value: Value, *, any_label: bool) -> Value:
    """Drop `λ =`-style labels; an equation like `x = 1.5` is an error unless any label is
    allowed."""
    if isinstance(value, Labelled):
        if not (any_label or _is_label_name(value.name)):
            raise AnswerError(f"You wrote an equation ({value.name} = …); give just the value.")
        return strip_labels(value.value, any_label=any_label)
    if isinstance(value, Seq) and value.bare:
        return Seq(
            tuple(strip_labels(item, any_label=any_label) for item in value.items), bare=True
        )
    return value


def _is_label_name(name: str) -> bool:
    base = name.rstrip("0123456789")
    return base != name or not base.isascii()


def compare(student: Value, expected: Value, options: Options) -> tuple[bool, str]:
    """Structural comparison; returns (ok, feedback) where empty feedback means "no specific
    reason"."""
    if isinstance(expected, SetOf):
        return _compare_set(student, expected, options)
    if isinstance(expected, Seq) or _is_vector_matrix(expected):
        return _compare_sequence(student, _as_seq(expected), options)
    if isinstance(expected, sympy.MatrixBase):
        return _compare_matrix(student, expected, options)
    if not is_scalar(student):
        comma = (
            " Decimals take a point (7.348), not a comma."
            if _looks_like_decimal_comma(student)
            else ""
        )
        return False, f"Expected a single value; you gave {describe(student)}.{comma}"
    if options.typed is not None:
        return rounding.judge(student, expected, options.typed)
    equal = scalars_equal(student, expected, options.tolerance, real=options.real)
    return bool(equal), ""


def _looks_like_decimal_comma(value: Value) -> bool:
    """`7,348` typed for 7.348 reads as the list 7, 348."""
    return (
        isinstance(value, Seq)
        and value.bare
        and len(value.items) == 2
        and all(isinstance(item, sympy.Integer) and item >= 0 for item in value.items)
    )


def describe(value: Value) -> str:
    """A few words naming the kind and size of a value, for feedback."""
    if isinstance(value, SetOf):
        return f"a set of {len(value.items)}"
    if isinstance(value, Seq):
        return (
            f"a list of {len(value.items)} values"
            if value.bare
            else f"a vector of {len(value.items)} entries"
        )
    if isinstance(value, sympy.MatrixBase):
        return f"a {value.shape[0]}×{value.shape[1]} matrix"
    return "a single value"


def _is_vector_matrix(value: Value) -> bool:
    return isinstance(value, sympy.MatrixBase) and 1 in value.shape


def _as_seq(value: Value) -> Seq:
    if isinstance(value, sympy.MatrixBase):
        return Seq(tuple(value))
    return value  # type: ignore[return-value]


def _compare_sequence(student: Value, expected: Seq, options: Options) -> tuple[bool, str]:
    if isinstance(student, SetOf):
        return False, "Order matters here: give a list or vector in [ ], not a set in { }."
    if _is_vector_matrix(student):
        student = _as_seq(student)
    if not isinstance(student, Seq):
        return False, f"Expected {len(expected.items)} values; you gave {describe(student)}."
    if options.unordered:
        return _compare_multiset(list(student.items), list(expected.items), options)
    if len(student.items) != len(expected.items):
        return False, f"Expected {len(expected.items)} entries; you gave {len(student.items)}."
    verdicts = [
        compare(s, t, replace(options, unordered=False))
        for s, t in zip(student.items, expected.items, strict=False)
    ]
    wrong = [index for index, (ok, _) in enumerate(verdicts, start=1) if not ok]
    if not wrong:
        return True, ""
    close = _close_entries(
        [str(index) for index in wrong], [verdicts[index - 1][1] for index in wrong]
    )
    if close:
        return False, close
    if len(wrong) > 1 and _compare_multiset(list(student.items), list(expected.items), options)[0]:
        return False, "These are the right values, but in the wrong order."
    if len(wrong) == len(expected.items) and len(wrong) > 1:
        return False, ""
    names = ", ".join(str(index) for index in wrong)
    return (
        False,
        f"Entr{'y' if len(wrong) == 1 else 'ies'} {names} {'is' if len(wrong) == 1 else 'are'} "
        "not right.",
    )


def _compare_matrix(
    student: Value, expected: sympy.MatrixBase, options: Options
) -> tuple[bool, str]:
    if not isinstance(student, sympy.MatrixBase):
        return (
            False,
            f"Expected a {expected.shape[0]}×{expected.shape[1]} matrix; you gave "
            f"{describe(student)}.",
        )
    if student.shape != expected.shape:
        return False, (
            f"Wrong shape: expected {expected.shape[0]}×{expected.shape[1]}, "
            f"you gave {student.shape[0]}×{student.shape[1]}."
        )
    verdicts = {
        (row + 1, col + 1): compare(student[row, col], expected[row, col], options)
        for row in range(expected.shape[0])
        for col in range(expected.shape[1])
    }
    wrong = [cell for cell, (ok, _) in verdicts.items() if not ok]
    if not wrong:
        return True, ""
    close = _close_entries(
        [f"({row},{col})" for row, col in wrong], [verdicts[cell][1] for cell in wrong]
    )
    if close:
        return False, close
    if mistakes.is_transpose(student, expected, options):
        return False, mistakes.TRANSPOSE
    if len(wrong) == expected.shape[0] * expected.shape[1]:
        return False, ""
    names = ", ".join(f"({row},{col})" for row, col in wrong)
    return (
        False,
        f"Entr{'y' if len(wrong) == 1 else 'ies'} {names} (row,column) "
        f"{'is' if len(wrong) == 1 else 'are'} not right.",
    )


def _close_entries(names: list[str], feedbacks: list[str]) -> str:
    """When every wrong entry is a near miss under the rounding policy, say so, naming the
    entries."""
    if not feedbacks or not all(rounding.is_close_message(feedback) for feedback in feedbacks):
        return ""
    message = (
        rounding.CLOSE_DIGITS if rounding.CLOSE_DIGITS in feedbacks else rounding.CLOSE_ROUNDING
    )
    return f"Entr{'y' if len(names) == 1 else 'ies'} {', '.join(names)}: {message}"


def _compare_set(student: Value, expected: SetOf, options: Options) -> tuple[bool, str]:
    if isinstance(student, Seq):
        return False, "This answer is a set: write it in braces { }."
    if not isinstance(student, SetOf):
        return False, f"Expected a set; you gave {describe(student)}."
    given = _distinct(list(student.items), options)
    wanted = _distinct(list(expected.items), options)
    extra = [s for s in given if not any(compare(s, t, options)[0] for t in wanted)]
    missing = [t for t in wanted if not any(compare(s, t, options)[0] for s in given)]
    if not extra and not missing:
        return True, ""
    parts = []
    if extra:
        parts.append(f"not in the set: {', '.join(_short(s) for s in extra)}")
    if missing:
        parts.append(f"{len(missing)} element{'s are' if len(missing) > 1 else ' is'} missing")
    return False, "; ".join(parts).capitalize() + "."


def _distinct(items: list[Value], options: Options) -> list[Value]:
    kept: list[Value] = []
    for item in items:
        if not any(compare(item, other, options)[0] for other in kept):
            kept.append(item)
    return kept


def _compare_multiset(
    given: list[Value], wanted: list[Value], options: Options
) -> tuple[bool, str]:
    if len(given) != len(wanted):
        return False, f"Expected {len(wanted)} values; you gave {len(given)}."
    matches = [[compare(s, t, replace(options, unordered=False))[0] for t in wanted] for s in given]
    owner: dict[int, int] = {}

    def assign(s: int, seen: set[int]) -> bool:
        for t, ok in enumerate(matches[s]):
            if ok and t not in seen:
                seen.add(t)
                if t not in owner or assign(owner[t], seen):
                    owner[t] = s
                    return True
        return False

    matched = sum(assign(s, set()) for s in range(len(given)))
    if matched == len(wanted):
        return True, ""
    unmatched = [given[s] for s in range(len(given)) if s not in owner.values()]
    for value in unmatched:
        near = [
            feedback
            for target in wanted
            if rounding.is_close_message(
                feedback := compare(value, target, replace(options, unordered=False))[1]
            )
        ]
        if near:
            return False, f"{_short(value)}: {near[0]}"
    if matched == 0:
        return False, ""
    return False, f"Not right: {', '.join(_short(v) for v in unmatched)}."


def _short(value: Value) -> str:
    if isinstance(value, sympy.Rational) and not value.is_Integer and _terminates(int(value.q)):
        return str(Decimal(int(value.p)) / Decimal(int(value.q)))
    return sympy.sstr(value) if not isinstance(value, (Seq, SetOf)) else describe(value)


def _terminates(denominator: int) -> bool:
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _near(student: Value, expected: Value) -> bool:
    if not (is_scalar(student) and is_scalar(expected)):
        return False
    return bool(scalars_equal(student, expected, Tolerance(rtol=1e-2)))


def _sigfigs(answer: Answer, value: Value, expected: Any, figures: int) -> tuple[bool, str]:
    """The learner's decimal must be the expected value rounded to `figures` significant figures."""
    text = answer.number_text
    if text is None or not is_scalar(value):
        return False, f"Give a decimal number to {figures} significant figures."
    low, high = significant_figures(text)
    target = value_of(expected)
    if target is None or target.imag != 0:
        return False, "Not right."
    rounded = round_sigfigs(Decimal(str(target.real)), figures)
    typed = Decimal(text.lstrip("+"))
    if (typed < 0) != (rounded < 0) and abs(typed) == abs(rounded):
        return False, "Check the sign."
    if not low <= figures <= high:
        return (
            False,
            f"You gave {low if low == high else f'{low}–{high}'} significant figures; give "
            f"{figures}.",
        )
    if typed == rounded:
        return True, ""
    if typed == truncate_sigfigs(Decimal(str(target.real)), figures):
        return False, "Round the last digit, don't truncate."
    if (typed < 0) != (rounded < 0) and abs(typed) == abs(rounded):
        return False, "Check the sign."
    hint = mistakes.detect(value, expected, "", answer)
    return False, hint or f"Not accurate to {figures} significant figures."
