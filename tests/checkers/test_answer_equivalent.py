"""`checkers.equivalent`: equivalent forms, near misses, tolerance boundaries, sets vs lists,
variables."""

from __future__ import annotations

from typing import Any

import pytest

from checkers import Verdict, equivalent

# (student, expected, keyword options, ok, feedback fragment or "")
TABLE: list[tuple[str, str, dict[str, Any], bool, str]] = [
    # Equivalent exact forms
    ("3√6", "sqrt(54)", {}, True, ""),
    ("3sqrt(6)", "sqrt(54)", {}, True, ""),
    ("54^(1/2)", "sqrt(54)", {}, True, ""),
    ("2/sqrt(5)", "2*sqrt(5)/5", {}, True, ""),
    ("acos(1/sqrt(5))", "atan(2)", {}, True, ""),
    ("acos(1/√5)", "asin(2/sqrt(5))", {}, True, ""),
    ("60°", "pi/3", {}, True, ""),
    ("π/3 rad", "pi/3", {}, True, ""),
    ("1/2", "0.5", {}, True, ""),
    ("λ = 3", "3", {}, True, ""),
    ("σ₁ = 5", "5", {}, True, ""),
    # Near misses in exact mode
    ("sqrt(53)", "sqrt(54)", {}, False, "Not right"),
    ("7.348", "sqrt(54)", {}, False, "must be exact"),
    ("63.43°", "acos(1/sqrt(5))", {}, False, "must be exact"),
    ("-3", "3", {}, False, "sign"),
    ("54", "sqrt(54)", {}, False, "square of the answer"),
    ("31.4", "3.14", {}, False, "power of ten"),
    ("x = 3", "3", {}, False, "equation"),
    ("7,348", "sqrt(54)", {"rtol": 1e-3}, False, "not a comma"),
    # Tolerances: boundaries are inclusive
    ("7.348", "sqrt(54)", {"rtol": 1e-3}, True, ""),
    ("1.05", "1", {"rtol": 0.05}, True, ""),
    ("1.0500001", "1", {"rtol": 0.05}, False, ""),
    ("0.95", "1", {"atol": 0.05}, True, ""),
    ("0.9499", "1", {"atol": 0.05}, False, ""),
    ("1.1", "1", {"rtol": 0.05, "atol": 0.05}, True, ""),
    ("[3.14, 1.41]", "[pi, sqrt(2)]", {"atol": 0.01}, True, ""),
    ("[3.14, 1.40]", "[pi, sqrt(2)]", {"atol": 0.01}, False, "Entry 2"),
    # Significant figures
    ("7.35", "sqrt(54)", {"sigfigs": 3}, True, ""),
    ("7.34", "sqrt(54)", {"sigfigs": 3}, False, "don't truncate"),
    ("7.348", "sqrt(54)", {"sigfigs": 3}, False, "give 3"),
    ("-7.35", "sqrt(54)", {"sigfigs": 3}, False, "sign"),
    ("sqrt(54)", "sqrt(54)", {"sigfigs": 3}, False, "decimal number"),
    # Sets against lists
    ("{3, 1}", "{1, 3}", {}, True, ""),
    ("{1, 3, 3}", "{1, 3}", {}, True, ""),
    ("3, 1", "{1, 3}", {}, False, "braces"),
    ("{3, 1}", "[3, 1]", {}, False, "Order matters"),
    ("1, 3", "3, 1", {}, False, "wrong order"),
    ("1, 4", "3, 1", {}, False, ""),
    ("3, 1", "3, 1", {}, True, ""),
    ("[3, 1]", "3, 1", {}, True, ""),
    ("{1, 4}", "{1, 3}", {}, False, "Not in the set: 4"),
    # Vectors and matrices
    ("(1, 2)", "[1, 2]", {}, True, ""),
    ("[[1],[2]]", "[1, 2]", {}, True, ""),
    ("[1, 2, 3]", "[1, 2]", {}, False, "Expected 2 entries"),
    ("5", "[1, 2]", {}, False, "Expected 2 values"),
    ("[1 3; 2 4]", "[[1,2],[3,4]]", {}, False, "transpose"),
    ("[1 2; 3 5]", "[[1,2],[3,4]]", {}, False, "(2,2)"),
    ("[1 2 3; 4 5 6]", "[[1,2],[3,4]]", {}, False, "Wrong shape"),
    ("[-1 -2; -3 -4]", "[[1,2],[3,4]]", {}, False, "opposite sign"),
    # Expressions with variables
    ("(x+1)^2", "x^2 + 2x + 1", {}, True, ""),
    ("sin(x)^2 + cos(x)^2", "1", {}, True, ""),
    ("log(10x)", "log(10) + log(x)", {}, True, ""),
    ("log(x^2)", "2log(x)", {}, False, ""),
    ("sqrt(x^2)", "abs(x)", {"real": True}, True, ""),
    ("sqrt(x^2)", "x", {"real": True}, False, ""),
    ("2x + 2y", "2(x + y)", {}, True, ""),
    ("x y", "y x", {}, True, ""),
]


@pytest.mark.parametrize(("student", "expected", "options", "ok", "feedback"), TABLE)
def test_equivalent(
    student: str, expected: str, options: dict[str, Any], ok: bool, feedback: str
) -> None:
    verdict = equivalent(student, expected, **options)
    assert isinstance(verdict, Verdict)
    assert bool(verdict) is ok, verdict.feedback
    assert feedback in verdict.feedback


def test_unreadable_student_answer_is_a_verdict_not_an_exception() -> None:
    verdict = equivalent("3 +* 4", "7")
    assert not verdict and verdict.unreadable
    assert verdict.feedback.startswith("Could not read your answer")


def test_unreadable_expected_answer_is_an_authoring_error() -> None:
    with pytest.raises(ValueError, match="expected answer"):
        equivalent("1", "1 +")


def test_verdict_carries_how_the_answer_was_read() -> None:
    assert equivalent("3√6", "sqrt(54)").read_as == "3·√6"
