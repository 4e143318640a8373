"""Fixture tables for the named linear-algebra answer tests and the mistake detectors."""

from __future__ import annotations

from typing import Any

import pytest

from checkers import check_part

A_SYM = [[2, 1], [1, 2]]
A_SVD = [[2, 4], [1, 2]]
EX8 = {
    "start": "(AB)ᵀ",
    "target": "BᵀAᵀ",
    "matrices": {"A": [["a", "b"], ["c", "d"]], "B": [["e", "f"], ["g", "h"]]},
    "shapes": {"A": [2, 2], "B": [2, 2]},
    "rules": ["double_transpose", "identity"],
}
EX9 = {
    "start": "(WᵀW)ᵀ",
    "target": "WᵀW",
    "matrices": {"W": []},
    "shapes": {"W": [3, 2]},
    "rules": ["transpose_product", "double_transpose", "identity"],
}
ENTRIES = "[[ae+bg, af+bh],[ce+dg, cf+dh]]"

# (test, student, expected, options, ok, feedback fragment)
FIXTURES: list[tuple[str, str, Any, dict[str, Any], bool, str]] = [
    # eigenvalues: a multiset in any order
    ("eigenvalues", "3, 1", "3, 1", {"matrix": A_SYM}, True, ""),
    ("eigenvalues", "1, 3", "3, 1", {"matrix": A_SYM}, True, ""),
    ("eigenvalues", "λ1 = 3, λ2 = 1", "3, 1", {"matrix": A_SYM}, True, ""),
    ("eigenvalues", "{1, 3}", "3, 1", {"matrix": A_SYM}, True, ""),
    ("eigenvalues", "λ = 1 or λ = 3", "3, 1", {"matrix": A_SYM}, True, ""),
    ("eigenvalues", "3.0, 1.0", "3, 1", {"matrix": A_SYM, "rtol": 1e-3}, True, ""),
    ("eigenvalues", "2, 2", "3, 1", {"matrix": A_SYM}, False, "diagonal entries"),
    ("eigenvalues", "3", "3, 1", {"matrix": A_SYM}, False, "has 2 eigenvalues"),
    ("eigenvalues", "3, 2", "3, 1", {"matrix": A_SYM}, False, "trace"),
    ("eigenvalues", "4, 0", "3, 1", {"matrix": A_SYM}, False, "determinant"),
    ("eigenvalues", "{2}", "2, 2", {"matrix": [[2, 0], [0, 2]]}, False, "repeats"),
    ("eigenvalues", "2, 2", "2, 2", {"matrix": [[2, 0], [0, 2]]}, True, ""),
    # eigenpair: A v = λ v, v ≠ 0; λ under the rounding policy
    ("eigenpair", "3.002, [1, 1]", A_SYM, {}, False, "Close — check the rounding"),
    ("eigenpair", "3.00, [0.707, 0.707]", A_SYM, {}, True, ""),
    ("eigenpair", "5, [1, 2]", A_SYM, {}, False, "5 is not an eigenvalue"),
    ("eigenpair", "3, [1, 1]", A_SYM, {}, True, ""),
    ("eigenpair", "λ = 3, v = [-2, -2]", A_SYM, {}, True, ""),
    ("eigenpair", "1, [1/√2, -1/√2]", A_SYM, {}, True, ""),
    ("eigenpair", "3, [0.7071, 0.7071]", A_SYM, {}, True, ""),
    ("eigenpair", "3, [0, 0]", A_SYM, {}, False, "zero vector"),
    ("eigenpair", "3, [1, -1]", A_SYM, {}, False, "eigenvector for λ = 1"),
    ("eigenpair", "3, [1, 2]", A_SYM, {}, False, "A v ≠ λ v"),
    ("eigenpair", "3", A_SYM, {}, False, "Give an eigenvalue and an eigenvector"),
    # SVD triplet: σ ≥ 0, unit u and v, A v = σ u; flips together pass, one-sided fail
    ("svd_triplet", "5, [2,1]/√5, [1,2]/√5", A_SVD, {}, True, ""),
    ("svd_triplet", "5, [-2,-1]/√5, [-1,-2]/√5", A_SVD, {}, True, ""),
    ("svd_triplet", "5, [0.894, 0.447], [0.447, 0.894]", A_SVD, {}, True, ""),
    ("svd_triplet", "σ = 5, u = [2/√5, 1/√5], v = [1/√5, 2/√5]", A_SVD, {}, True, ""),
    ("svd_triplet", "5, [-2,-1]/√5, [1,2]/√5", A_SVD, {}, False, "Flip u and v together"),
    ("svd_triplet", "5, [2,1]/√5, [-1,-2]/√5", A_SVD, {}, False, "Flip u and v together"),
    ("svd_triplet", "25, [2,1]/√5, [1,2]/√5", A_SVD, {}, False, "σ²"),
    ("svd_triplet", "5, [1,2]/√5, [2,1]/√5", A_SVD, {}, False, "swapped"),
    ("svd_triplet", "5, [2,1], [1,2]", A_SVD, {}, False, "length 1"),
    ("svd_triplet", "-5, [2,1]/√5, [-1,-2]/√5", A_SVD, {}, False, "Check the sign"),
    # vector up to tolerance
    ("vector", "[4, 0]", "[4, 0]", {}, True, ""),
    ("vector", "(4, 0)", "[4, 0]", {}, True, ""),
    ("vector", "[0.333, 1]", "[1/3, 1]", {"rtol": 1e-3}, True, ""),
    ("vector", "[0.33, 1]", "[1/3, 1]", {"rtol": 1e-3}, False, "Entry 1"),
    ("vector", "[1/3, 1]", "[1/3, 1]", {"rtol": 1e-3}, True, ""),
    ("vector", "[-4, -3]", "[4, 3]", {}, False, "sign"),
    ("vector", "[-4, 0]", "[4, 0]", {}, False, "Check the signs"),
    ("vector", "[4, 1]", "[4, 0]", {}, False, "Entry 2 is not right"),
    ("vector", "4", "[4, 0]", {}, False, "Expected 2 values"),
    # matrix entry by entry
    ("matrix", "[19 22; 43 50]", [[19, 22], [43, 50]], {}, True, ""),
    ("matrix", "[[19,22],[43,50]]", [[19, 22], [43, 50]], {}, True, ""),
    ("matrix", "[19 22; 43 51]", [[19, 22], [43, 50]], {}, False, "(2,2)"),
    ("matrix", "[19 43; 22 50]", [[19, 22], [43, 50]], {}, False, "transpose"),
    (
        "matrix",
        "[5 12; 21 32]",
        [[19, 22], [43, 50]],
        {"mistakes": [[[[5, 12], [21, 32]], "That is A⊙B"]]},
        False,
        "A⊙B",
    ),
    ("matrix", "[19 22 0; 43 50 0]", [[19, 22], [43, 50]], {}, False, "Wrong shape"),
    # angle in degrees or radians
    ("angle", "acos(1/sqrt(5))", "acos(1/sqrt(5))", {"rtol": 1e-3}, True, ""),
    ("angle", "63.43°", "acos(1/sqrt(5))", {"rtol": 1e-3}, True, ""),
    ("angle", "63.43 deg", "acos(1/sqrt(5))", {"rtol": 1e-3}, True, ""),
    ("angle", "1.107", "acos(1/sqrt(5))", {"rtol": 1e-3}, True, ""),
    ("angle", "1.107 rad", "acos(1/sqrt(5))", {"rtol": 1e-3}, True, ""),
    ("angle", "atan(2)", "acos(1/sqrt(5))", {"rtol": 1e-3}, True, ""),
    ("angle", "63.43", "acos(1/sqrt(5))", {"rtol": 1e-3}, False, "degrees"),
    ("angle", "1.107°", "acos(1/sqrt(5))", {"rtol": 1e-3}, False, "radians"),
    ("angle", "1/sqrt(5)", "acos(1/sqrt(5))", {"rtol": 1e-3}, False, "cos θ"),
    ("angle", "116.57°", "acos(1/sqrt(5))", {"rtol": 1e-3}, False, "180° − θ"),
    ("angle", "60°", "acos(1/sqrt(5))", {"rtol": 1e-3}, False, "Not right"),
    # unit vector
    ("unit_vector", "[1/2, 1/2, 1/2, 1/2]", "[1/2, 1/2, 1/2, 1/2]", {"rtol": 1e-3}, True, ""),
    ("unit_vector", "[0.5, 0.5, 0.5, 0.5]", "[1/2, 1/2, 1/2, 1/2]", {"rtol": 1e-3}, True, ""),
    ("unit_vector", "[1,1,1,1]/2", "[1/2, 1/2, 1/2, 1/2]", {"rtol": 1e-3}, True, ""),
    ("unit_vector", "[1, 1, 1, 1]", "[1/2, 1/2, 1/2, 1/2]", {"rtol": 1e-3}, False, "not length 1"),
    (
        "unit_vector",
        "[-1/2, -1/2, -1/2, -1/2]",
        "[1/2, 1/2, 1/2, 1/2]",
        {"rtol": 1e-3},
        False,
        "wrong direction",
    ),
    ("unit_vector", "[-2, -1]/√5", "[2, 1]/sqrt(5)", {"sign": "any"}, True, ""),
    ("unit_vector", "[1, 0, 0, 0]", "[1/2, 1/2, 1/2, 1/2]", {}, False, "wrong direction"),
    # choice
    ("choice", "L1", "L1", {"choices": {"L1": [], "L2": [], "L∞": ["inf", "max"]}}, True, ""),
    ("choice", "l_1", "L1", {"choices": {"L1": [], "L2": [], "L∞": ["inf", "max"]}}, True, ""),
    ("choice", "max", "L∞", {"choices": {"L1": [], "L2": [], "L∞": ["inf", "max"]}}, True, ""),
    (
        "choice",
        "L2",
        "L1",
        {"choices": {"L1": [], "L2": [], "L∞": ["inf", "max"]}},
        False,
        "Not L2",
    ),
    (
        "choice",
        "biggest",
        "L1",
        {"choices": {"L1": [], "L2": [], "L∞": ["inf", "max"]}},
        False,
        "one of",
    ),
    # proofs as chains of equalities
    (
        "proof_chain",
        f"(AB)ᵀ = {ENTRIES}ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dh]] = BᵀAᵀ",
        None,
        EX8,
        True,
        "",
    ),
    (
        "proof_chain",
        "(AB)^T\n= [ae+bg af+bh; ce+dg cf+dh]^T\n= [e g; f h][a c; b d]\n= B^T A^T",
        None,
        EX8,
        True,
        "",
    ),
    ("proof_chain", "(A B)'\n[[ae+bg, ce+dg],[af+bh, cf+dh]]\nB' A'", None, EX8, True, ""),
    ("proof_chain", "BᵀAᵀ = [[e,g],[f,h]][[a,c],[b,d]] = (AB)ᵀ", None, EX8, False, "circular"),
    (
        "proof_chain",
        "BᵀAᵀ = [[e,g],[f,h]][[a,c],[b,d]] = [[ae+bg, ce+dg],[af+bh, cf+dh]] = (AB)ᵀ",
        None,
        EX8,
        True,
        "",
    ),
    ("proof_chain", "(AB)ᵀ = BᵀAᵀ", None, EX8, False, "what you are proving"),
    ("proof_chain", f"(AB)ᵀ = {ENTRIES} = BᵀAᵀ", None, EX8, False, "entries (1,2), (2,1) differ"),
    (
        "proof_chain",
        f"(AB)ᵀ = {ENTRIES}ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dg]] = BᵀAᵀ",
        None,
        EX8,
        False,
        "Step 2 ",
    ),
    (
        "proof_chain",
        f"(AB)ᵀ = {ENTRIES}ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dg]] = BᵀAᵀ",
        None,
        EX8,
        False,
        "entry (2,2) differs",
    ),
    ("proof_chain", "(AB)ᵀ = AᵀBᵀ", None, EX8, False, "Step 1 ((A·B)ᵀ = Aᵀ·Bᵀ): false"),
    ("proof_chain", "(AB)ᵀ", None, EX8, False, "chain of equalities"),
    ("proof_chain", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀW", None, EX9, True, ""),
    ("proof_chain", "(W^T W)^T\nW^T (W^T)^T\nW^T W", None, EX9, True, ""),
    ("proof_chain", "(WᵀW)ᵀ = WᵀW", None, EX9, False, "circular"),
    # W has no entries to write out: the advice for a circular step is the exercise's rules.
    (
        "proof_chain",
        "(WᵀW)ᵀ = WᵀW",
        None,
        EX9,
        False,
        "apply one rule at a time instead ((XY)ᵀ = YᵀXᵀ or (Xᵀ)ᵀ = X)",
    ),
    ("proof_chain", "(AB)ᵀ = BᵀAᵀ", None, EX8, False, "work it out with entries instead"),
    ("proof_chain", "(WᵀW)ᵀ = (Wᵀ)ᵀW = WᵀW", None, EX9, False, "order of the factors"),
    ("proof_chain", "(WᵀW)ᵀ = WWᵀ = WᵀW", None, EX9, False, "not equal in general"),
    ("proof_chain", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = WWᵀ", None, EX9, False, "Step 2 (Wᵀ·(Wᵀ)ᵀ = W·Wᵀ): false"),
    ("proof_chain", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ", None, EX9, False, "must start at (WᵀW)ᵀ and end at WᵀW"),
]


@pytest.mark.parametrize(
    ("test", "student", "expected", "options", "ok", "feedback"),
    FIXTURES,
    ids=[f"{row[0]}:{row[1][:30]}" for row in FIXTURES],
)
def test_answer_test_fixture(
    test: str, student: str, expected: Any, options: dict[str, Any], ok: bool, feedback: str
) -> None:
    verdict = check_part(test, student, expected, options)
    assert verdict.ok is ok, verdict.feedback
    assert feedback in verdict.feedback


def test_svd_vector_part_checks_the_sign_against_the_learners_u() -> None:
    options = {"matrix": A_SVD, "uses": ["sigma1", "u1"], "rtol": 1e-3}
    together = {"sigma1": "5", "u1": "[-2, -1]/√5"}
    assert check_part("svd_vector", "[-1, -2]/√5", "[1, 2]/sqrt(5)", options, together).ok
    one_sided = check_part("svd_vector", "[1, 2]/√5", "[1, 2]/sqrt(5)", options, together)
    assert not one_sided.ok and "flip together" in one_sided.feedback


@pytest.mark.parametrize("sigma", ["5", "25", "√5", "-5", "", "not maths"])
def test_svd_vector_one_sided_flip_is_caught_whatever_sigma_says(sigma: str) -> None:
    """A wrong σ is marked in its own part; it must not hide a v flipped against u."""
    options = {"matrix": A_SVD, "uses": ["sigma1", "u1"], "rtol": 1e-3}
    others = {"sigma1": sigma, "u1": "[2, 1]/√5"}
    one_sided = check_part("svd_vector", "[-1, -2]/√5", "[1, 2]/sqrt(5)", options, others)
    assert not one_sided.ok and "flip together" in one_sided.feedback
    assert check_part("svd_vector", "[1, 2]/√5", "[1, 2]/sqrt(5)", options, others).ok


def test_unknown_answer_test_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="eigenvalues"):
        check_part("no_such_test", "1", 1)


DETECTORS = [
    ("value", "54", "sqrt(54)", {"kind": "norm"}, "‖v‖²"),
    ("value", "25", "5", {"kind": "singular_value"}, "σ²"),
    ("value", "0.894", "2/sqrt(5)", {"kind": "cosine", "rtol": 1e-3}, ""),
    ("value", "-3", "3", {}, "Check the sign"),
    ("value", "0.3", "3", {}, "power of ten"),
    ("value", "1.107", "1/sqrt(5)", {"kind": "cosine", "rtol": 1e-3}, "That is the angle θ"),
    ("value", "63.43", "1/sqrt(5)", {"kind": "cosine", "rtol": 1e-3}, "angle in degrees"),
    ("angle", "63.43", "acos(1/sqrt(5))", {"rtol": 1e-3}, "add the unit"),
    ("angle", "0.4472", "acos(1/sqrt(5))", {"rtol": 1e-3}, "apply arccos"),
    ("unit_vector", "[2, 1]", "[2, 1]/sqrt(5)", {}, "divide by the vector's norm"),
    ("matrix", "[1 3; 2 4]", [[1, 2], [3, 4]], {}, "transpose"),
    ("matrix", "[1 2 3; 4 5 6]", [[1, 2], [3, 4]], {}, "Wrong shape"),
    ("vector", "[1, 2, 3]", "[1, 2]", {}, "Expected 2 entries"),
    # complementary angle: arctan of the wrong ratio, in radians or degrees
    ("angle", "atan(1/2)", "acos(1/sqrt(5))", {}, "90° − θ, the complementary angle"),
    ("angle", "26.57°", "acos(1/sqrt(5))", {}, "90° − θ, the complementary angle"),
    ("angle", "pi/2", "pi/3", {}, "right angle"),
    ("value", "1/5", "5", {}, "reciprocal"),
    ("value", "0.2", "5", {}, "reciprocal"),
    # rounding: close but wrongly rounded, or too few digits
    ("value", "7.355", "sqrt(54)", {}, "Close — check the rounding"),
    ("value", "7.34", "sqrt(54)", {}, "Close — check the rounding"),
    ("value", "7.3", "sqrt(54)", {}, "Close — give more digits"),
    ("vector", "[0.89, 0.447]", "[2/sqrt(5), 1/sqrt(5)]", {}, "Entry 1: Close — give more digits"),
    (
        "matrix",
        "[[1, 2], [3, 4.01]]",
        [[1, 2], [3, 4]],
        {},
        "Entry (2,2): Close — check the rounding",
    ),
    ("unit_vector", "[2, 1]/2.24", "[2, 1]/sqrt(5)", {}, "Close — give more digits"),
    ("value", "1/3.01", "1/3", {}, "Close — give more digits"),
    # sign, read with the digits typed
    ("angle", "-1.11", "acos(1/sqrt(5))", {}, "Check the sign"),
    # σ vs σ² and ‖v‖ vs ‖v‖²
    ("value", "25.0", "5", {"kind": "singular_value"}, "σ²"),
    ("value", "54.0", "sqrt(54)", {"kind": "norm"}, "‖v‖²"),
    # forgotten normalisation
    ("unit_vector", "[4, 2]", "[2, 1]/sqrt(5)", {}, "divide by the vector's norm"),
    ("svd_vector", "[1, 2]", "[1, 2]/sqrt(5)", {}, "divide by the vector's norm"),
]


@pytest.mark.parametrize(
    ("test", "student", "expected", "options", "hint"),
    DETECTORS,
    ids=[f"{row[0]}:{row[1]}" for row in DETECTORS],
)
def test_mistake_detectors_name_the_slip(
    test: str, student: str, expected: Any, options: dict[str, Any], hint: str
) -> None:
    verdict = check_part(test, student, expected, options)
    if hint:
        assert not verdict.ok
        assert hint in verdict.feedback
    else:
        assert verdict.ok
