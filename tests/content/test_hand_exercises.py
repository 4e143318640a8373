"""Exercises 1-12 as the chapter states them: accepted forms and rejected answers with their
feedback,
plus the reference code behind every variant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from checkers import check_part
from tutor.course.exercise_schema import HandExercise
from tutor.course.loader import Chapter
from tutor.practice.hand import HandInstance, expected_text, grade, make_instance, validate_chapter


@pytest.fixture(scope="module")
def instances(chapter: Chapter) -> dict[str, HandInstance]:
    return {
        ex.id: make_instance(chapter, ex, 0)
        for ex in chapter.exercises
        if isinstance(ex, HandExercise)
    }


CHAIN8 = "(AB)ᵀ = [[ae+bg, af+bh],[ce+dg, cf+dh]]ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dh]] = BᵀAᵀ"

# The table of answer forms per exercise (variant 0): accepted, rejected with the feedback that
# names
# the slip, and refused as unreadable (never graded). It holds every case of issue 13.
ACCEPTED: dict[str, list[tuple[str, str]]] = {
    "1.ex1": [
        ("dot", "3"),
        ("dot", "3.0"),
        ("dot", "1*3 + 2*0"),
        ("angle", "acos(1/sqrt(5))"),
        ("angle", "63.43°"),
        ("angle", "63.4349 deg"),
        ("angle", "1.107"),
        ("angle", "atan(2)"),
        ("angle", "arccos(3/(3√5))"),
        ("angle", "cos^-1(1/√5)"),
        ("angle", "atan2(2, 1)"),
        ("angle", "1.11"),
        ("angle", "63.4°"),
        ("angle", "1.1071 rad"),
        ("angle", "acos(1/√5)"),
    ],
    "1.ex2": [
        ("l1", "14"),
        ("l2", "sqrt(54)"),
        ("l2", "3√6"),
        ("l2", "7.348"),
        ("l2", "7.35"),
        ("l2", "54^(1/2)"),
        ("l2", "3*2.449"),
        ("linf", "5"),
        ("largest", "L1"),
        ("largest", "l1"),
        ("largest", "L₁"),
        ("largest", "‖v‖₁"),
        ("largest", "L_1"),
        ("smallest", "L∞"),
        ("smallest", "Linf"),
        ("smallest", "max norm"),
        ("smallest", "‖v‖∞"),
        ("smallest", "max-norm"),
        ("smallest", "L_inf"),
    ],
    "1.ex3": [
        ("unit", "[1/2, 1/2, 1/2, 1/2]"),
        ("unit", "[0.5,0.5,0.5,0.5]"),
        ("unit", "(0.5, 0.5, 0.5, 0.5)"),
        ("unit", "[1,1,1,1]/2"),
        ("unit", "1/2*[1,1,1,1]"),
        ("unit", "[1 1 1 1]/2"),
        ("unit", "⟨1/2,1/2,1/2,1/2⟩"),
        ("unit", "[1,1,1,1]/√4"),
        ("norm", "1"),
        ("norm", "1.0"),
        ("norm", "sqrt(1/4+1/4+1/4+1/4)"),
    ],
    "1.ex4": [
        ("cosine", "1/2"),
        ("cosine", "0.5"),
        ("cosine", "1/(√2·√2)"),
        ("cosine", "cos(60°)"),
        ("cosine", "0.50"),
        ("angle", "60°"),
        ("angle", "pi/3"),
        ("angle", "1.0472"),
        ("angle", "60 deg"),
        ("angle", "π/3 rad"),
        ("angle", "1.05"),
        ("angle", "1.047"),
        ("angle", "60.0°"),
    ],
    "1.ex5": [
        ("projection", "[4, 0]"),
        ("projection", "(4, 0)"),
        ("projection", "4[1, 0]"),
        ("projection", "[4 0]"),
        ("projection", "⟨4,0⟩"),
        ("projection", "[4.0, 0.0]"),
        ("perpendicular", "[0, 3]"),
        ("perpendicular", "[4,3] - [4,0]"),
        ("perpendicular", "(0,3)"),
    ],
    "1.ex6": [
        ("product", "[[19,22],[43,50]]"),
        ("product", "[19 22; 43 50]"),
        ("product", "[19, 22; 43, 50]"),
        ("product", "[19 22\n43 50]"),
        ("product", "[[19.0, 22], [43, 50]]"),
        ("product", "[[38/2, 22],[43,50]]"),
        ("product", "([[19,22],[43,50]])"),
        ("product", "[[1*5+2*7, 1*6+2*8],[3*5+4*7, 3*6+4*8]]"),
    ],
    "1.ex7": [
        ("rank", "1"),
        ("rank", "1.0"),
        ("rank", "r = 1"),
        ("rank", "3/3"),
        ("rank", "sqrt(1)"),
        ("rank", "2 - 1"),
        ("rank", "1."),
        ("rank", "(1)"),
    ],
    "1.ex8": [
        ("proof", CHAIN8),
        (
            "proof",
            "(AB)^T\n= [ae+bg af+bh; ce+dg cf+dh]^T\n= [ae+bg ce+dg; af+bh cf+dh]\n= B^T A^T",
        ),
        ("proof", "(A B)' = [[ae+bg, ce+dg],[af+bh, cf+dh]] = B'A'"),
        ("proof", "BᵀAᵀ = [[e,g],[f,h]][[a,c],[b,d]] = [[ae+bg, ce+dg],[af+bh, cf+dh]] = (AB)ᵀ"),
        ("proof", "(A*B)^T = [[a*e+b*g, a*f+b*h],[c*e+d*g, c*f+d*h]]^T = B^T*A^T"),
        ("proof", "(AB)ᵀ = [ae+bg ce+dg; af+bh cf+dh] = BᵀAᵀ"),
        ("proof", "(AB)ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dh]] = (BᵀAᵀ)"),
        ("proof", "(AB)ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dh]] = (Bᵀ)(Aᵀ)"),
    ],
    "1.ex9": [
        ("proof", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀW"),
        ("proof", "(W^T W)^T = W^T (W^T)^T = W^T W"),
        ("proof", "(W'W)' = W'(W')' = W'W"),
        ("proof", "(WᵀW)ᵀ\nWᵀ(Wᵀ)ᵀ\nWᵀW"),
        ("proof", "WᵀW = Wᵀ(Wᵀ)ᵀ = (WᵀW)ᵀ"),
        ("proof", "(W^T*W)^T = W^T*(W^T)^T = W^T*W"),
        ("proof", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀW"),
        ("proof", "(WᵀW)ᵀ = (Wᵀ(Wᵀ)ᵀ) = WᵀW"),
    ],
    "1.ex10": [
        ("hadamard", "[[5,0],[0,20]]"),
        ("hadamard", "[5 0; 0 20]"),
        ("product", "[[5,10],[15,20]]"),
        ("product", "5[[1,2],[3,4]]"),
        ("product", "[5 10; 15 20]"),
        ("c", "5"),
        ("c", "c = 5"),
        ("c", "5.0"),
        ("c", "10/2"),
    ],
    "1.ex11": [
        ("eigenvalues", "3, 1"),
        ("eigenvalues", "1, 3"),
        ("eigenvalues", "λ = 3, 1"),
        ("eigenvalues", "λ1 = 3, λ2 = 1"),
        ("eigenvalues", "{1, 3}"),
        ("eigenvalues", "3 and 1"),
        ("eigenvalues", "λ = 1 or λ = 3"),
        ("eigenvalues", "[3, 1]"),
        ("eigenvalues", "3.0, 1.0"),
        ("eigenvalues", "(3, 1)"),
        ("eigenvalues", "3.00, 1.000"),
    ],
    "1.ex12": [
        ("sigma1", "5"),
        ("sigma1", "5.0"),
        ("sigma1", "sqrt(25)"),
        ("sigma1", "σ₁ = 5"),
        ("sigma1", "5.000"),
        ("u1", "[2,1]/√5"),
        ("u1", "[2/sqrt(5), 1/sqrt(5)]"),
        ("u1", "[0.894, 0.447]"),
        ("u1", "[-2,-1]/√5"),
        ("v1", "[1,2]/√5"),
        ("v1", "[0.447, 0.894]"),
        ("v1", "[0.4472, 0.8944]"),
        ("u1", "[2, 1]/2.236"),
        ("sigma1", "2.236·2.236"),
    ],
}

CLOSE = "Close — check the rounding"
MORE = "Close — give more digits"

REJECTED: dict[str, list[tuple[str, str, str]]] = {
    "1.ex1": [
        ("dot", "6", "wrong entries"),
        ("dot", "-3", "sign"),
        ("dot", "30", "power of ten"),
        ("dot", "2.999", CLOSE),
        ("dot", "3√5", "‖a‖‖b‖"),
        ("dot", "9", "square"),
        ("dot", "[3, 0]", "Expected a single value"),
        ("angle", "63.43", "add the unit"),
        ("angle", "0.4472", "cos θ"),
        ("angle", "116.57°", "180° − θ"),
        ("angle", "1.107°", "radians"),
        ("angle", "1.108", CLOSE),
        ("angle", "1.1075", CLOSE),
        ("angle", "63.44°", CLOSE),
        ("angle", "atan(1/2)", "complementary"),
        ("angle", "26.57°", "complementary"),
        ("angle", "atan2(1, 2)", "complementary"),
        ("angle", "acos(1/15)", "‖a‖²‖b‖²"),
        ("angle", "63°", MORE),
        ("angle", "1.1", MORE),
        ("angle", "-1.107", "sign"),
        ("angle", "1.57", "right angle"),
        ("angle", "90°", "right angle"),
        ("angle", "acos(3/5)", "one squared norm"),
    ],
    "1.ex2": [
        ("l1", "2", "absolute values"),
        ("l1", "-14", "sign"),
        ("l1", "5", "L∞ norm"),
        ("l1", "√54", "L2 norm"),
        ("l2", "54", "‖v‖²"),
        ("l2", "7.3", MORE),
        ("l2", "7.355", CLOSE),
        ("l2", "14", "L1 norm"),
        ("l2", "5", "L∞ norm"),
        ("l2", "-7.35", "sign"),
        ("linf", "14", "L1 norm"),
        ("linf", "-5", "sign"),
        ("linf", "√54", "L2 norm"),
        ("l1", "12", "left an entry out"),
        ("l2", "√50", "left an entry out"),
        ("linf", "3", "not the largest one"),
        ("largest", "L2", "Not L2"),
        ("smallest", "L1", "Not L1"),
        ("smallest", "‖v‖₂", "Not L2"),
    ],
    "1.ex3": [
        ("unit", "[1,1,1,1]", "not length 1"),
        ("unit", "[1/4,1/4,1/4,1/4]", "divided by ‖v‖²"),
        ("unit", "[-1/2,-1/2,-1/2,-1/2]", "wrong direction"),
        ("unit", "[1/2,1/2,1/2]", "Expected 4 entries"),
        ("unit", "1/2", "Expected 4 values"),
        ("unit", "[0.2, 0.2, 0.2, 0.2]", "not length 1"),
        ("unit", "[0.501, 0.5, 0.5, 0.5]", CLOSE),
        ("norm", "2", "‖v‖, the norm of v itself"),
        ("norm", "4", "‖v‖²"),
        ("norm", "-1", "sign"),
        ("norm", "0.5", "1/‖v‖"),
    ],
    "1.ex4": [
        ("cosine", "1", "dot product"),
        ("cosine", "60°", "That is the angle θ"),
        ("cosine", "60", "angle in degrees"),
        ("cosine", "-1/2", "sign"),
        ("cosine", "1/√2", "only one of the norms"),
        ("cosine", "1/4", "‖a‖²‖b‖²"),
        ("cosine", "2", "reciprocal"),
        ("cosine", "0.501", CLOSE),
        ("angle", "60", "add the unit"),
        ("angle", "0.5", "cos θ"),
        ("angle", "120°", "180° − θ"),
        ("angle", "30°", "complementary"),
        ("angle", "π/6", "complementary"),
        ("angle", "1.048", CLOSE),
        ("angle", "1.0", MORE),
        ("angle", "1.047°", "radians"),
    ],
    "1.ex5": [
        ("projection", "[0, 3]", "perpendicular component"),
        ("projection", "4", "length of the projection"),
        ("projection", "[4, 3]", "u itself"),
        ("projection", "[-4, 0]", "Check the signs"),
        ("projection", "[1, 0]", "d itself"),
        ("perpendicular", "[4, 0]", "That is the projection"),
        ("perpendicular", "[0, -3]", "proj − u"),
        ("perpendicular", "[3]", "Expected 2 entries"),
        ("perpendicular", "[0, 3, 0]", "Expected 2 entries"),
        ("perpendicular", "[4, 3]", "u itself"),
    ],
    "1.ex6": [
        ("product", "[[5,12],[21,32]]", "A⊙B"),
        ("product", "[[23,34],[31,46]]", "That is BA"),
        ("product", "[[19,43],[22,50]]", "transpose"),
        ("product", "[[19,22],[43,51]]", "(2,2)"),
        ("product", "[19, 22, 43, 50]", "Expected a 2×2 matrix"),
        ("product", "[[19,22]]", "Wrong shape"),
        ("product", "19", "Expected a 2×2 matrix"),
        ("product", "[[-19,-22],[-43,-50]]", "opposite sign"),
        ("product", "[[17,23],[39,53]]", "rows of A by rows of B"),
        ("product", "[[26,30],[38,44]]", "columns of A by columns of B"),
        ("product", "[[23,31],[34,46]]", "AᵀBᵀ"),
    ],
    "1.ex7": [
        ("rank", "3", "independent rows"),
        ("rank", "0", "zero matrix"),
        ("rank", "-1", "whole number"),
        ("rank", "1.5", "whole number"),
        ("rank", "10", "power of ten"),
        ("rank", "[1]", "Expected a single value"),
        ("rank", "1, 2", "Expected a single value"),
        ("rank", "2", "Rank 2 would mean"),
    ],
    "1.ex8": [
        ("proof", "(AB)ᵀ = BᵀAᵀ", "circular"),
        ("proof", "(AB)ᵀ = (Bᵀ)(Aᵀ)", "circular"),
        ("proof", "(AB)ᵀ = [[e,g],[f,h]][[a,c],[b,d]] = BᵀAᵀ", "circular"),
        (
            "proof",
            "(AB)ᵀ = ([[a,b],[c,d]][[e,f],[g,h]])ᵀ = [[e,g],[f,h]][[a,c],[b,d]] = BᵀAᵀ",
            "circular",
        ),
        ("proof", "(AB)ᵀ = AᵀBᵀ", "Step 1 ((A·B)ᵀ = Aᵀ·Bᵀ): false"),
        ("proof", "(AB)ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dh]]", "must start at (AB)ᵀ and end at BᵀAᵀ"),
        ("proof", "(AB)ᵀ", "chain of equalities"),
        ("proof", "(AB)ᵀ = [[ae+bg, af+bh],[ce+dg, cf+dh]] = BᵀAᵀ", "differ"),
        ("proof", "(AB)ᵀ = [[ae, bf],[cg, dh]] = BᵀAᵀ", "differ"),
        ("proof", "AB = BA", "false"),
        ("proof", "(AB)ᵀ = [[a,b],[c,d]]ᵀ[[e,f],[g,h]]ᵀ = BᵀAᵀ", "differ"),
    ],
    "1.ex9": [
        ("proof", "(WᵀW)ᵀ = WᵀW", "circular"),
        ("proof", "(WᵀW)ᵀ = (Wᵀ)ᵀW = WᵀW", "order"),
        ("proof", "(WᵀW)ᵀ = WWᵀ = WᵀW", "not equal in general"),
        ("proof", "WᵀW = WᵀW", "must start"),
        ("proof", "(WᵀW)ᵀ", "chain of equalities"),
        ("proof", "(WWᵀ)ᵀ = WWᵀ", "must start"),
        ("proof", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀWᵀ", "order"),
        ("proof", "(WᵀW)ᵀ = WᵀW = WᵀW", "circular"),
    ],
    "1.ex10": [
        ("hadamard", "[[5,10],[15,20]]", "That is AB"),
        ("product", "[[5,0],[0,20]]", "That is A⊙B"),
        ("c", "1/5", "reciprocal"),
        ("c", "25", "k²"),
        ("c", "-5", "sign"),
        ("c", "50", "power of ten"),
        ("product", "[[5,15],[10,20]]", "transpose"),
        ("hadamard", "[[5,0],[0,21]]", "(2,2)"),
        ("hadamard", "[[1,0],[0,4]]", "pattern of zeros"),
        ("hadamard", "[[1,2],[3,4]]", "A itself"),
        ("product", "[[6,2],[3,9]]", "A + B"),
        ("product", "[[1,2],[3,4]]", "A itself"),
    ],
    "1.ex11": [
        ("eigenvalues", "2, 2", "diagonal entries"),
        ("eigenvalues", "3", "has 2 eigenvalues"),
        ("eigenvalues", "3, 2", "trace"),
        ("eigenvalues", "4, 0", "determinant"),
        ("eigenvalues", "9, 1", "trace"),
        ("eigenvalues", "3, 1, 0", "has 2 eigenvalues"),
        ("eigenvalues", "-3, -1", "trace"),
        ("eigenvalues", "3.002, 0.999", CLOSE),
        ("eigenvalues", "3, 1.001", CLOSE),
        ("eigenvalues", "3.01, 1", CLOSE),
    ],
    "1.ex12": [
        ("sigma1", "25", "σ₁²"),
        ("sigma1", "-5", "sign"),
        ("sigma1", "√5", "square root"),
        ("sigma1", "5.004", CLOSE),
        ("sigma1", "4.996", CLOSE),
        ("sigma1", "0.5", "power of ten"),
        ("u1", "[2,1]", "not length 1"),
        ("u1", "[1,2]/√5", "That is v₁"),
        ("u1", "[0.89, 0.45]", MORE),
        ("u1", "[2,-1]/√5", "wrong direction"),
        ("v1", "[2,1]/√5", "That is u₁"),
        ("v1", "[-1,-2]/√5", "flip together"),
        ("v1", "[1, 2]", "not length 1"),
    ],
}

# Answers that are refused without a grade (exit 2 at the CLI, never recorded as wrong).
UNREADABLE: list[tuple[str, str, str, str]] = [
    ("1.ex1", "angle", "atan2", "atan2 takes two numbers"),
    ("1.ex1", "angle", "atan2(1)", "atan2 takes two numbers"),
    ("1.ex1", "angle", "acos 1/√5", "put brackets around what acos applies to"),
    ("1.ex1", "angle", "cos θ", "unknown symbol θ"),
    ("1.ex2", "largest", "the first one", "answer with one of L1, L2, L∞"),
    ("1.ex2", "l1", "fourteen", "unknown word 'fourteen'"),
    ("1.ex3", "unit", "[1,1,1,1]/sqrt(1+1+1+1)", "only restates the question"),
    ("1.ex3", "unit", "[1,1,1,1]/√(1²+1²+1²+1²)", "only restates the question"),
    ("1.ex6", "product", "[[1,2],[3,4]]·[[5,6],[7,8]]", "only restates the question"),
    ("1.ex6", "product", "[[1,2],[3,4]][[5,6],[7,8]]", "only restates the question"),
    ("1.ex6", "product", "AB", "work out the value and type that"),
    ("1.ex6", "product", "A*B", "unknown symbol A"),
    ("1.ex7", "rank", "a/a", "unknown symbol a"),
    ("1.ex7", "rank", "one", "unknown word 'one'"),
    ("1.ex10", "product", "[[1,2],[3,4]]*[[5,0],[0,5]]", "only restates the question"),
    ("1.ex8", "proof", "(AB)ᵀ = foo = BᵀAᵀ", "unknown word"),
]


def _others(instance: HandInstance) -> dict[str, str]:
    return {part.name: expected_text(part.expected) for part in instance.parts}


def _check(instance: HandInstance, name: str, text: str) -> Any:
    part = next(p for p in instance.parts if p.name == name)
    return check_part(part.test, text, part.expected, part.options, _others(instance))


def _cases(table: dict[str, list[Any]]) -> Iterator[Any]:
    for exercise, rows in table.items():
        for row in rows:
            yield pytest.param(exercise, *row, id=f"{exercise}:{row[0]}:{row[1][:30]}")


def test_every_exercise_has_at_least_seven_accepted_and_seven_rejected_forms() -> None:
    assert sorted(ACCEPTED) == sorted(REJECTED) == sorted(f"1.ex{n}" for n in range(1, 13))
    assert all(len(rows) >= 8 for rows in ACCEPTED.values())
    assert all(len(rows) >= 7 for rows in REJECTED.values())


@pytest.mark.parametrize(("exercise", "part", "text"), _cases(ACCEPTED))
def test_accepted(instances: dict[str, HandInstance], exercise: str, part: str, text: str) -> None:
    verdict = _check(instances[exercise], part, text)
    assert verdict.ok, verdict.feedback


@pytest.mark.parametrize(("exercise", "part", "text", "feedback"), _cases(REJECTED))
def test_rejected_with_feedback(
    instances: dict[str, HandInstance], exercise: str, part: str, text: str, feedback: str
) -> None:
    verdict = _check(instances[exercise], part, text)
    assert not verdict.ok
    assert feedback in verdict.feedback


@pytest.mark.parametrize(
    ("exercise", "part", "text", "message"),
    UNREADABLE,
    ids=[f"{row[0]}:{row[1]}:{row[2][:30]}" for row in UNREADABLE],
)
def test_refused_answers_are_unreadable_never_wrong(
    instances: dict[str, HandInstance], exercise: str, part: str, text: str, message: str
) -> None:
    verdict = _check(instances[exercise], part, text)
    assert not verdict.ok and verdict.unreadable
    assert message in verdict.feedback


def test_advice_for_a_product_of_names_is_advice_that_works(
    instances: dict[str, HandInstance],
) -> None:
    advice = _check(instances["1.ex6"], "product", "AB").feedback
    assert "A*B" not in advice  # typing A*B would be refused too
    assert "type that" in advice
    assert _check(instances["1.ex6"], "product", "[[19, 22], [43, 50]]").ok


def test_generic_not_right_is_at_most_one_wrong_part_in_ten(
    instances: dict[str, HandInstance],
) -> None:
    feedback = [
        _check(instances[exercise], part, text).feedback
        for exercise, rows in REJECTED.items()
        for part, text, _ in rows
    ]
    # "Not right. <what to recheck>" names no mistake, so it counts as generic too.
    generic = [text for text in feedback if not text.strip() or text.startswith("Not right")]
    assert len(feedback) >= 120
    assert len(generic) / len(feedback) <= 0.1, generic


def test_a_wrong_answer_no_detector_explains_gets_what_to_recheck(
    instances: dict[str, HandInstance],
) -> None:
    verdict = _check(instances["1.ex1"], "dot", "2")
    assert verdict.feedback == "Not right. Multiply matching entries and add: a·b = a₁b₁ + a₂b₂."
    verdict = _check(instances["1.ex12"], "sigma1", "10")
    assert verdict.feedback.startswith("Not right. σ₁ = √(the nonzero eigenvalue of AᵀA)")


def test_numeric_parts_carry_the_policy_and_others_do_not(
    instances: dict[str, HandInstance],
) -> None:
    from checkers.policy import MIN_FIGURES, POLICY

    ex2 = {part.name: part.policy for part in instances["1.ex2"].parts}
    assert ex2 == {"l1": POLICY, "l2": POLICY, "linf": POLICY, "largest": "", "smallest": ""}
    assert instances["1.ex8"].parts[0].policy == ""
    assert f"≥ {MIN_FIGURES} significant figures" in POLICY


def test_no_prompt_or_hint_gives_the_answer_away(chapter: Chapter) -> None:
    from tutor.practice.leaks import leaks

    for exercise in chapter.exercises:
        if not isinstance(exercise, HandExercise):
            continue
        for variant in range(21 if exercise.generator else 1):
            assert leaks(make_instance(chapter, exercise, variant), check_part) == []


def test_the_leak_check_catches_an_example_that_is_the_answer(
    instances: dict[str, HandInstance],
) -> None:
    from dataclasses import replace

    from tutor.practice.leaks import leaks

    ex11 = instances["1.ex11"]
    leaky = replace(ex11, parts=[replace(ex11.parts[0], prompt="Both eigenvalues (e.g. 3, 1)")])
    assert leaks(leaky, check_part) == [
        "part eigenvalues's prompt gives away part eigenvalues's answer: '3, 1'"
    ]
    ex2 = instances["1.ex2"]
    hinted = replace(ex2, hints=["Here L2 = 3√6.", "last hint"])
    assert any("'3√6'" in leak for leak in leaks(hinted, check_part))
    ex8 = instances["1.ex8"]
    shown = replace(ex8, hints=["(AB)ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dh]]", "last hint"])
    assert any("hint 1" in leak for leak in leaks(shown, check_part))


def test_parts_are_named_as_the_exercises_ask(instances: dict[str, HandInstance]) -> None:
    names = {key: [part.name for part in instance.parts] for key, instance in instances.items()}
    assert names["1.ex1"] == ["dot", "angle", "drawing"]
    assert names["1.ex2"] == ["l1", "l2", "linf", "largest", "smallest"]
    assert names["1.ex10"] == ["hadamard", "product", "c"]
    assert names["1.ex12"] == ["sigma1", "u1", "v1"]
    assert all(2 <= len(instance.hints) <= 3 for instance in instances.values())


def test_variant_zero_is_the_chapter_text_and_variants_are_reproducible(chapter: Chapter) -> None:
    for exercise in chapter.exercises:
        if not isinstance(exercise, HandExercise):
            continue
        assert make_instance(chapter, exercise, 0).prompt == exercise.statement
        assert make_instance(chapter, exercise, 5) == make_instance(chapter, exercise, 5)
    ex11 = next(ex for ex in chapter.exercises if ex.id == "1.ex11")
    assert isinstance(ex11, HandExercise)
    prompts = {make_instance(chapter, ex11, n).prompt for n in range(1, 8)}
    assert len(prompts) > 3


def test_solutions_are_computed_for_the_variant(chapter: Chapter) -> None:
    ex6 = next(ex for ex in chapter.exercises if ex.id == "1.ex6")
    assert isinstance(ex6, HandExercise)
    zero = make_instance(chapter, ex6, 0)
    assert "AB = [[19,22],[43,50]]" in zero.solution
    other = make_instance(chapter, ex6, 3)
    assert (
        f"AB={expected_text(other.parts[0].expected).replace(' ', '')}"
        in other.solution.replace(" ", "")
    )


def test_whole_submission_grading(instances: dict[str, HandInstance]) -> None:
    drawn = "a = [1, 2], b = [3, 0]"
    result = grade(instances["1.ex1"], ["3", "63.43", drawn])
    assert not result.correct
    assert [p.correct for p in result.parts] == [True, False, True]
    assert result.feedback == "2 of 3 parts correct."
    assert grade(instances["1.ex1"], ["3", "63.43°", drawn]).correct
    with pytest.raises(ValueError, match="has 3 parts"):
        grade(instances["1.ex1"], ["3"])


def test_every_variant_answer_passes_its_own_test(chapter: Chapter) -> None:
    assert validate_chapter(chapter, variants=8) == []


def test_the_rounding_policy_holds_in_every_variant(chapter: Chapter) -> None:
    """In variants 1-8 of every exercise, each single-number part accepts its value correctly
    rounded
    to 4 significant figures and calls a wrong last digit "Close" (graded wrong)."""
    from decimal import Decimal

    import sympy

    from checkers.build import parse
    from checkers.rounding import round_sigfigs

    checked = 0
    for exercise in chapter.exercises:
        if not isinstance(exercise, HandExercise) or not exercise.generator:
            continue
        for variant in range(1, 9):
            instance = make_instance(chapter, exercise, variant)
            for part in instance.parts:
                if part.test not in ("value", "angle"):
                    continue
                exact = parse(expected_text(part.expected)).value
                number = Decimal(str(sympy.N(exact, 30)))
                if number == 0:
                    continue
                right = round_sigfigs(number, 4)
                wrong = right + Decimal(1).scaleb(right.adjusted() - 3)
                others = _others(instance)
                verdict = check_part(part.test, str(right), part.expected, part.options, others)
                assert verdict.ok, (instance.id, variant, part.name, str(right), verdict.feedback)
                verdict = check_part(part.test, str(wrong), part.expected, part.options, others)
                assert not verdict.ok and verdict.feedback.startswith("Close"), (
                    instance.id,
                    variant,
                    str(wrong),
                )
                checked += 1
    assert checked >= 40


def test_validate_flags_a_tolerance_the_rounding_policy_replaced(chapter: Chapter) -> None:
    import dataclasses

    import msgspec

    ex2 = next(ex for ex in chapter.exercises if ex.id == "1.ex2")
    assert isinstance(ex2, HandExercise)
    l2 = msgspec.structs.replace(ex2.parts[1], options={**ex2.parts[1].options, "rtol": 0.001})
    changed = msgspec.structs.replace(ex2, parts=[ex2.parts[0], l2, *ex2.parts[2:]])
    only = dataclasses.replace(chapter, exercises=[changed])
    problems = validate_chapter(only, variants=1)
    assert problems == [
        "ch1/1.ex2: part l2 sets rtol, which is not used: every number follows the rounding "
        "policy (exact, or correctly rounded to ≥ 3 s.f.)"
    ]


def test_a_false_step_is_named_without_a_misleading_endpoint_message(
    instances: dict[str, HandInstance],
) -> None:
    feedback = _check(instances["1.ex8"], "proof", "(AB)ᵀ = AᵀBᵀ").feedback
    assert feedback == "Step 1 ((A·B)ᵀ = Aᵀ·Bᵀ): false — entries (1,1), (1,2), (2,1), (2,2) differ."
    circular = _check(instances["1.ex8"], "proof", "(AB)ᵀ = (Bᵀ)(Aᵀ)").feedback
    assert "circular" in circular and "must start" not in circular
