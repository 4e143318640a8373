"""The learner answer language: what each form reads as, and clear errors for what it refuses."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import sympy

from checkers.build import Labelled, Seq, SetOf, parse
from checkers.syntax import MAX_CHARS, NUMBERS_ONLY, AnswerError, read_as

READS_AS = [
    ("3√6", "3·√6  ≈ 7.34847"),
    ("sqrt(54)", "√54  ≈ 7.34847"),
    ("sqrt54", "√54  ≈ 7.34847"),
    ("sqrt 2", "√2  ≈ 1.41421"),
    ("2^3", "2^3  ≈ 8"),
    ("2**3", "2^3  ≈ 8"),
    ("x²", "x^2"),
    ("1/2x", "(1/2)·x"),
    ("2x^2", "2·x^2"),
    ("−3 × 4", "−3·4  ≈ -12"),
    ("3·4", "3·4  ≈ 12"),
    ("6 ÷ 3", "6/3  ≈ 2"),
    ("π/3", "π/3  ≈ 1.0472"),
    ("pi/3", "π/3  ≈ 1.0472"),
    ("e^1", "e^1  ≈ 2.71828"),
    ("acos(0.5)", "acos(0.5)  ≈ 1.0472"),
    ("arccos(0.5)", "acos(0.5)  ≈ 1.0472"),
    ("cos^-1(0.5)", "acos(0.5)  ≈ 1.0472"),
    ("cos⁻¹(0.5)", "acos(0.5)  ≈ 1.0472"),
    ("cos θ", "cos(θ)"),
    ("|−3|", "|−3|  ≈ 3"),
    ("abs(-3)", "abs(−3)  ≈ 3"),
    ("60°", "60°"),
    ("60 deg", "60°"),
    ("63.43 degrees", "63.43°"),
    ("1.107 rad", "1.107 rad  ≈ 1.107"),
    ("[1, 2]", "[1, 2]"),
    ("(1, 2)", "[1, 2]"),
    ("⟨1,2⟩", "[1, 2]"),
    ("<1,2>", "[1, 2]"),
    ("[1,2]ᵀ", "[1, 2]ᵀ"),
    ("[[1,2],[3,4]]", "[[1, 2], [3, 4]]"),
    ("[1 2; 3 4]", "[[1, 2], [3, 4]]"),
    ("[1 2\n3 4]", "[[1, 2], [3, 4]]"),
    ("[1 -2; 3 4]", "[[1, −2], [3, 4]]"),
    ("[1 - 2]", "[1 − 2]"),
    ("[2x 3]", "[2·x, 3]"),
    ("{1, 2}", "{1, 2}"),
    ("3, 1", "3, 1"),
    ("3 and 1", "3, 1"),
    ("λ = 3", "λ = 3"),
    ("lambda = 3", "λ = 3"),
    ("λ1 = 3, λ2 = 1", "λ1 = 3, λ2 = 1"),
    ("σ₁ = 5", "σ1 = 5"),
    ("5.1e-2", "5.1·10^-2  ≈ 0.051"),
    ("1 + cosec(3x)", "1 + csc(3·x)"),
    ("atan2(2, 1)", "atan2(2, 1)  ≈ 1.10715"),
    ("arctan2(-1, -1)", "atan2(−1, −1)  ≈ -2.35619"),
    ("acos(1/√5)", "acos(1/√5)  ≈ 1.10715"),
    ("sqrt 2 ", "√2  ≈ 1.41421"),
    ("-(2+3)^2", "−(2 + 3)^2  ≈ -25"),
    ("(1-2)-(3-4)", "(1 − 2) − (3 − 4)  ≈ 0"),
    ("1/(2/3)", "1/(2/3)  ≈ 1.5"),
]


@pytest.mark.parametrize(("text", "shown"), READS_AS)
def test_read_as_shows_how_the_answer_was_read(text: str, shown: str) -> None:
    assert read_as(text) == shown


REFUSED = [
    ("xy", "unknown word 'xy' (for a product write x*y)"),
    ("costly", "unknown word 'costly'"),
    ("3 1", "two values side by side"),
    ("[1 2] 3", "two values side by side"),
    ("(1 + 2", "ends too early"),
    ("2 +", "ends too early"),
    ("3 § 4", "the character '§'"),
    ("x = 1 = 2", "'='"),
    ("i", "complex numbers are not used"),
    ("", "empty"),
    ("__import__('os')", "the character '_'"),
    ("x.__class__", "the character '.'"),
    ("1;;2", "unexpected"),
    ("atan2", "atan2 takes two numbers in brackets, y then x"),
    ("atan2(1)", "atan2 takes two numbers in brackets, y then x"),
    ("atan2(1, 2, 3)", "atan2 takes two numbers in brackets, y then x"),
    ("acos 1/√5", "could mean acos(1)/… or acos(1/…)"),
    ("sqrt 2 + 1", "put brackets around what sqrt applies to"),
    ("cos 60°", "put brackets around what cos applies to"),
    ("sqrt54/2", "put brackets around what sqrt applies to"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_unreadable_answers_get_a_specific_message(text: str, message: str) -> None:
    with pytest.raises(AnswerError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert read_as(text).startswith("⚠")


VALUES = [
    ("3√6", 3 * sympy.sqrt(6)),
    ("0.1", sympy.Rational(1, 10)),
    ("5.1e-2", sympy.Rational(51, 1000)),
    ("2(1+3)", sympy.Integer(8)),
    ("60°", sympy.pi / 3),
    ("2^-1", sympy.Rational(1, 2)),
    ("-2^2", sympy.Integer(-4)),
    ("2^3^2", sympy.Integer(512)),
    ("cos^2(0)", sympy.Integer(1)),
]


@pytest.mark.parametrize(("text", "value"), VALUES)
def test_numbers_are_read_exactly(text: str, value: sympy.Expr) -> None:
    assert sympy.simplify(parse(text).value - value) == 0


def test_atan2_is_a_function_of_y_then_x() -> None:
    assert parse("atan2(2, 1)").value == sympy.atan(2)
    assert sympy.simplify(parse("atan2(-1, -1)").value + 3 * sympy.pi / 4) == 0
    with pytest.raises(AnswerError, match="no angle"):
        parse("atan2(0, 0)")


LETTERS_REFUSED = [
    ("a/a", "unknown symbol a"),
    ("2x", "unknown symbol x"),
    ("cos θ", "unknown symbol θ"),
    ("A*B", "unknown symbol A"),
    ("AB", "unknown word 'AB'"),
    ("three", "unknown word 'three'"),
]


@pytest.mark.parametrize(("text", "message"), LETTERS_REFUSED)
def test_in_exercise_answers_a_letter_is_an_unknown_symbol(text: str, message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        parse(text, names=NUMBERS_ONLY)
    assert "*" not in str(pytest.raises(AnswerError, parse, text, names=NUMBERS_ONLY).value)


def test_the_exercise_preview_flags_a_letter_as_the_checker_will() -> None:
    assert read_as("a/a", numbers_only=True).startswith("⚠ unknown symbol a")
    assert read_as("λ = 3", numbers_only=True) == "λ = 3"
    assert read_as("a/a") == "a/a"


def test_labels_are_not_symbols_in_exercise_answers() -> None:
    assert parse("λ1 = 3, λ2 = 1", names=NUMBERS_ONLY).value == Seq(
        (Labelled("λ1", sympy.Integer(3)), Labelled("λ2", sympy.Integer(1))), bare=True
    )
    assert parse("c = 5", names=NUMBERS_ONLY).value == Labelled("c", sympy.Integer(5))


def test_structures_build_vectors_matrices_sets_lists_and_labels() -> None:
    assert parse("[1, 2]").value == Seq((sympy.Integer(1), sympy.Integer(2)))
    assert parse("3, 1").value == Seq((sympy.Integer(3), sympy.Integer(1)), bare=True)
    assert isinstance(parse("{1, 2}").value, SetOf)
    matrix = parse("[1 2; 3 4]").value
    assert matrix == sympy.ImmutableMatrix([[1, 2], [3, 4]])
    assert parse("[[1,2],[3,4]]ᵀ").value == sympy.ImmutableMatrix([[1, 3], [2, 4]])
    assert parse("2[1, 2]").value == Seq((sympy.Integer(2), sympy.Integer(4)))
    assert parse("[1 2; 3 4][1, 1]").value == Seq((sympy.Integer(3), sympy.Integer(7)))
    labelled = parse("λ = 3").value
    assert isinstance(labelled, Labelled) and labelled.name == "λ"


SHAPE_ERRORS = [
    ("[1, 2] + [1, 2, 3]", "cannot add vectors of lengths 2 and 3"),
    ("[1 2; 3]", "different lengths"),
    ("[[1,2],[3,4]][[1,2,3]]", "cannot multiply a 2×2 matrix by a 1×3 matrix"),
    ("sin([1, 2])", "takes a single number"),
    ("1/0", "division by zero"),
    ("[1, 2]^2", "only numbers and square matrices"),
]


@pytest.mark.parametrize(("text", "message"), SHAPE_ERRORS)
def test_impossible_combinations_are_explained(text: str, message: str) -> None:
    with pytest.raises(AnswerError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse(text)


HOSTILE = [
    "9**9**9**9",
    "(((9**64)**64)**64)**64",
    "2^(2^(2^(2^(2^9))))",
    "10^10^10",
    "exp(exp(exp(100)))",
    "e^(e^(e^100))",
    "sin(10^300)",
    "1" * 5000,
    "9" * 61,
    "(" * 300 + "1" + ")" * 300,
    "-" * 1500 + "1",
    "[" * 30 + "1" + "]" * 30,
    "x" * 100_000,
    "1e999999",
    "10^3000*10^3000",
    "{10^3000*10^3000, 1}",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda text: text[:20])
def test_hostile_input_is_refused_fast(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(AnswerError):
        parse(text)
    assert time.perf_counter() - started < 1.5
    started = time.perf_counter()
    assert isinstance(read_as(text), str)
    assert time.perf_counter() - started < 0.5


def test_the_answer_length_limit_is_stated() -> None:
    with pytest.raises(AnswerError, match=f"the limit is {MAX_CHARS}"):
        parse("1+" * MAX_CHARS)


def test_read_as_and_the_checkers_package_do_not_load_sympy() -> None:
    code = (
        "import sys, checkers, checkers.syntax; checkers.read_as('3√6');"
        "import checkers.pool; print('sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_printer_has_a_method_for_every_rule_of_the_grammar() -> None:
    """The pretty printer is a Lark Transformer: each rule and alias of answer.lark prints
    itself."""
    import re
    from pathlib import Path

    from checkers import printer

    grammar = (Path(printer.__file__).with_name("answer.lark")).read_text(encoding="utf-8")
    rules = set(re.findall(r"->\s*(\w+)", grammar))
    rules |= {name for name in re.findall(r"^\??([a-z]\w*):", grammar, flags=re.MULTILINE)}
    inlined = {
        "expr",
        "sum",
        "term",
        "signed",
        "power",
        "postfix",
        "power_nn",
        "postfix_nn",
        "atom",
        "atom_nn",
        "argument",
        "entry",
        "fexp",
    }
    missing = sorted(
        rule for rule in rules - inlined if not callable(getattr(printer._Printer, rule, None))
    )
    assert missing == []
