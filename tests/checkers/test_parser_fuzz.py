"""Property-based fuzzing of the answer parser: only AnswerError escapes, nothing runs, all is
quick."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkers.answer_tests import check_requests
from checkers.build import parse
from checkers.syntax import AnswerError, read_as

FRAGMENTS = [
    "1",
    "2",
    "0",
    "9",
    "3.5",
    ".5",
    "1e3",
    "5.1e-2",
    "x",
    "y",
    "λ",
    "σ₁",
    "λ1",
    "pi",
    "π",
    "e",
    "sqrt",
    "√",
    "acos",
    "cos",
    "cos^-1",
    "cos⁻¹",
    "abs",
    "exp",
    "log",
    "deg",
    "°",
    "rad",
    "ᵀ",
    "^T",
    "'",
    "²",
    "+",
    "-",
    "−",
    "*",
    "**",
    "^",
    "/",
    "×",
    "·",
    "÷",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "⟨",
    "⟩",
    "<",
    ">",
    "|",
    ",",
    ";",
    " ",
    "\n",
    "=",
    "and",
    "or",
    "i",
    "__import__",
    ".",
    "_",
    "lambda",
    "9**9**9",
]

fragments = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)
anything = st.text(max_size=60)


def _parse_quietly(text: str) -> None:
    try:
        parse(text)
    except AnswerError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(fragments, anything))
def test_parse_raises_only_answer_error_and_is_fast(text: str) -> None:
    started = time.perf_counter()
    _parse_quietly(text)
    assert isinstance(read_as(text), str)
    assert time.perf_counter() - started < 2.0


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments)
def test_checking_any_text_returns_a_verdict_in_time(text: str) -> None:
    started = time.perf_counter()
    [verdict] = check_requests(
        [{"test": "value", "text": text, "expected": "sqrt(2)"}], timeout=2.0
    )
    assert isinstance(verdict.feedback, str)
    assert time.perf_counter() - started < 3.0


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-(10**6), max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_fractions_are_read_exactly(numerator: int, denominator: int) -> None:
    from sympy import Rational

    assert parse(f"{numerator}/{denominator}").value == Rational(numerator, denominator)
