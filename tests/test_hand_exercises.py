"""Exercises 1-12 as the chapter states them: accepted forms and rejected answers with their feedback,
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
    return {ex.id: make_instance(chapter, ex, 0) for ex in chapter.exercises if isinstance(ex, HandExercise)}


CHAIN8 = "(AB)ᵀ = [[ae+bg, af+bh],[ce+dg, cf+dh]]ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dh]] = BᵀAᵀ"

ACCEPTED: dict[str, list[tuple[str, str]]] = {
    "1.ex1": [("dot", "3"), ("dot", "3.0"), ("dot", "1*3 + 2*0"), ("angle", "acos(1/sqrt(5))"),
              ("angle", "63.43°"), ("angle", "63.4349 deg"), ("angle", "1.107"), ("angle", "atan(2)"),
              ("angle", "arccos(3/(3√5))"), ("angle", "cos^-1(1/√5)")],
    "1.ex2": [("l1", "14"), ("l2", "sqrt(54)"), ("l2", "3√6"), ("l2", "7.348"), ("l2", "54^(1/2)"),
              ("linf", "5"), ("largest", "L1"), ("largest", "l1"), ("smallest", "L∞"), ("smallest", "Linf"),
              ("smallest", "max norm")],
    "1.ex3": [("unit", "[1/2, 1/2, 1/2, 1/2]"), ("unit", "[0.5,0.5,0.5,0.5]"), ("unit", "(0.5, 0.5, 0.5, 0.5)"),
              ("unit", "[1,1,1,1]/2"), ("unit", "1/2*[1,1,1,1]"), ("unit", "[1 1 1 1]/2"),
              ("unit", "⟨1/2,1/2,1/2,1/2⟩"), ("norm", "1"), ("norm", "1.0"), ("norm", "sqrt(1/4+1/4+1/4+1/4)")],
    "1.ex4": [("cosine", "1/2"), ("cosine", "0.5"), ("cosine", "1/(√2·√2)"), ("cosine", "cos(60°)"),
              ("cosine", "0.50"), ("angle", "60°"), ("angle", "pi/3"), ("angle", "1.0472"), ("angle", "60 deg"),
              ("angle", "π/3 rad")],
    "1.ex5": [("projection", "[4, 0]"), ("projection", "(4, 0)"), ("projection", "4[1, 0]"),
              ("projection", "[4 0]"), ("projection", "⟨4,0⟩"), ("projection", "[4.0, 0.0]"),
              ("perpendicular", "[0, 3]"), ("perpendicular", "[4,3] - [4,0]"), ("perpendicular", "(0,3)")],
    "1.ex6": [("product", "[[19,22],[43,50]]"), ("product", "[19 22; 43 50]"), ("product", "[19, 22; 43, 50]"),
              ("product", "[19 22\n43 50]"), ("product", "[[1,2],[3,4]][[5,6],[7,8]]"),
              ("product", "[[19.0, 22], [43, 50]]"), ("product", "[[38/2, 22],[43,50]]"),
              ("product", "([[19,22],[43,50]])")],
    "1.ex7": [("rank", "1"), ("rank", "1.0"), ("rank", "r = 1"), ("rank", "3/3"), ("rank", "sqrt(1)"),
              ("rank", "2 - 1"), ("rank", "1."), ("rank", "(1)")],
    "1.ex8": [("proof", CHAIN8),
              ("proof", "(AB)^T\n= [ae+bg af+bh; ce+dg cf+dh]^T\n= [ae+bg ce+dg; af+bh cf+dh]\n= B^T A^T"),
              ("proof", "(A B)' = [[ae+bg, ce+dg],[af+bh, cf+dh]] = B'A'"),
              ("proof", "BᵀAᵀ = [[e,g],[f,h]][[a,c],[b,d]] = [[ae+bg, ce+dg],[af+bh, cf+dh]] = (AB)ᵀ"),
              ("proof", "(AB)ᵀ = ([[a,b],[c,d]][[e,f],[g,h]])ᵀ = [[e,g],[f,h]][[a,c],[b,d]] = BᵀAᵀ"),
              ("proof", "(A*B)^T = [[a*e+b*g, a*f+b*h],[c*e+d*g, c*f+d*h]]^T = B^T*A^T"),
              ("proof", "(AB)ᵀ = [ae+bg ce+dg; af+bh cf+dh] = BᵀAᵀ"),
              ("proof", "(AB)ᵀ = [[ae+bg, ce+dg],[af+bh, cf+dh]] = (BᵀAᵀ)")],
    "1.ex9": [("proof", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀW"), ("proof", "(W^T W)^T = W^T (W^T)^T = W^T W"),
              ("proof", "(W'W)' = W'(W')' = W'W"), ("proof", "(WᵀW)ᵀ\nWᵀ(Wᵀ)ᵀ\nWᵀW"),
              ("proof", "WᵀW = Wᵀ(Wᵀ)ᵀ = (WᵀW)ᵀ"), ("proof", "(W^T*W)^T = W^T*(W^T)^T = W^T*W"),
              ("proof", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀW"), ("proof", "(WᵀW)ᵀ = (Wᵀ(Wᵀ)ᵀ) = WᵀW")],
    "1.ex10": [("hadamard", "[[5,0],[0,20]]"), ("hadamard", "[5 0; 0 20]"), ("product", "[[5,10],[15,20]]"),
               ("product", "5[[1,2],[3,4]]"), ("product", "[5 10; 15 20]"), ("c", "5"), ("c", "c = 5"),
               ("c", "5.0"), ("c", "10/2")],
    "1.ex11": [("eigenvalues", "3, 1"), ("eigenvalues", "1, 3"), ("eigenvalues", "λ = 3, 1"),
               ("eigenvalues", "λ1 = 3, λ2 = 1"), ("eigenvalues", "{1, 3}"), ("eigenvalues", "3 and 1"),
               ("eigenvalues", "λ = 1 or λ = 3"), ("eigenvalues", "[3, 1]"), ("eigenvalues", "3.0, 1.0"),
               ("eigenvalues", "(3, 1)")],
    "1.ex12": [("sigma1", "5"), ("sigma1", "5.0"), ("sigma1", "sqrt(25)"), ("sigma1", "σ₁ = 5"),
               ("u1", "[2,1]/√5"), ("u1", "[2/sqrt(5), 1/sqrt(5)]"), ("u1", "[0.894, 0.447]"),
               ("u1", "[-2,-1]/√5"), ("v1", "[1,2]/√5"), ("v1", "[0.447, 0.894]")],
}

REJECTED: dict[str, list[tuple[str, str, str]]] = {
    "1.ex1": [("dot", "6", "wrong entries"), ("dot", "-3", "sign"), ("dot", "30", "power of ten"),
              ("angle", "63.43", "add the unit"), ("angle", "0.4472", "cos θ"), ("angle", "116.57°", "180° − θ"),
              ("angle", "60°", "Not right"), ("angle", "1.107°", "radians"), ("angle", "acos(1/5)", "Not right")],
    "1.ex2": [("l1", "2", "absolute values"), ("l1", "-14", "sign"), ("l2", "54", "‖v‖²"),
              ("l2", "7.3", "Not right"), ("linf", "-4", "Not right"), ("largest", "L2", "Not L2"),
              ("smallest", "L1", "Not L1"), ("smallest", "L3", "one of")],
    "1.ex3": [("unit", "[1,1,1,1]", "not length 1"), ("unit", "[1/4,1/4,1/4,1/4]", "divided by ‖v‖²"),
              ("unit", "[-1/2,-1/2,-1/2,-1/2]", "wrong direction"), ("unit", "[1/2,1/2,1/2]", "Expected 4 entries"),
              ("unit", "1/2", "Expected 4 values"), ("norm", "2", "‖v‖, the norm of v itself"),
              ("norm", "4", "‖v‖²"), ("norm", "-1", "sign")],
    "1.ex4": [("cosine", "1", "dot product"), ("cosine", "60°", "That is the angle θ"),
              ("cosine", "60", "angle in degrees"), ("cosine", "-1/2", "sign"), ("cosine", "0.25", "square"),
              ("angle", "60", "add the unit"), ("angle", "0.5", "cos θ"), ("angle", "120°", "180° − θ"),
              ("angle", "30°", "Not right")],
    "1.ex5": [("projection", "[0, 3]", "perpendicular component"), ("projection", "4", "Expected 2 values"),
              ("projection", "[4, 3]", "Entry 2"), ("projection", "[-4, 0]", "Check the signs"),
              ("perpendicular", "[4, 0]", "That is the projection"), ("perpendicular", "[0, -3]", "Check the signs"),
              ("perpendicular", "[3]", "Expected 2 entries"), ("perpendicular", "[0, 3, 0]", "Expected 2 entries")],
    "1.ex6": [("product", "[[5,12],[21,32]]", "A⊙B"), ("product", "[[23,34],[31,46]]", "That is BA"),
              ("product", "[[19,43],[22,50]]", "transpose"), ("product", "[[19,22],[43,51]]", "(2,2)"),
              ("product", "[19, 22, 43, 50]", "Expected a 2×2 matrix"), ("product", "[[19,22]]", "Wrong shape"),
              ("product", "19", "Expected a 2×2 matrix"), ("product", "[[-19,-22],[-43,-50]]", "opposite sign")],
    "1.ex7": [("rank", "3", "independent rows"), ("rank", "0", "Not right"), ("rank", "-1", "sign"),
              ("rank", "10", "power of ten"), ("rank", "[1]", "Expected a single value"),
              ("rank", "one", "unknown word"), ("rank", "1, 2", "Expected a single value"),
              ("rank", "2", "Not right")],
    "1.ex8": [("proof", "(AB)ᵀ = BᵀAᵀ", "what you are proving"), ("proof", "(AB)ᵀ = AᵀBᵀ", "must start"),
              ("proof", "(AB)ᵀ", "chain of equalities"),
              ("proof", "(AB)ᵀ = [[ae+bg, af+bh],[ce+dg, cf+dh]] = BᵀAᵀ", "differ"),
              ("proof", "(AB)ᵀ = [[ae, bf],[cg, dh]] = BᵀAᵀ", "differ"),
              ("proof", "(AB)ᵀ = foo = BᵀAᵀ", "unknown word"), ("proof", "AB = BA", "must start"),
              ("proof", "(AB)ᵀ = [[a,b],[c,d]]ᵀ[[e,f],[g,h]]ᵀ = BᵀAᵀ", "differ")],
    "1.ex9": [("proof", "(WᵀW)ᵀ = WᵀW", "jumps too far"), ("proof", "(WᵀW)ᵀ = (Wᵀ)ᵀW = WᵀW", "order"),
              ("proof", "(WᵀW)ᵀ = WWᵀ = WᵀW", "different shapes"), ("proof", "WᵀW = WᵀW", "must start"),
              ("proof", "(WᵀW)ᵀ", "chain of equalities"), ("proof", "(WWᵀ)ᵀ = WWᵀ", "must start"),
              ("proof", "(WᵀW)ᵀ = Wᵀ(Wᵀ)ᵀ = WᵀWᵀ", "must start"), ("proof", "(WᵀW)ᵀ = WᵀW = WᵀW", "jumps")],
    "1.ex10": [("hadamard", "[[5,10],[15,20]]", "That is AB"), ("product", "[[5,0],[0,20]]", "That is A⊙B"),
               ("c", "1/5", "Not right"), ("c", "25", "square"), ("c", "-5", "sign"), ("c", "50", "power of ten"),
               ("product", "[[5,15],[10,20]]", "transpose"), ("hadamard", "[[5,0],[0,21]]", "(2,2)")],
    "1.ex11": [("eigenvalues", "2, 2", "diagonal entries"), ("eigenvalues", "3", "has 2 eigenvalues"),
               ("eigenvalues", "3, 2", "trace"), ("eigenvalues", "4, 0", "determinant"),
               ("eigenvalues", "9, 1", "trace"), ("eigenvalues", "3, 1, 0", "has 2 eigenvalues"),
               ("eigenvalues", "-3, -1", "trace"), ("eigenvalues", "3 1", "side by side")],
    "1.ex12": [("sigma1", "25", "σ₁²"), ("sigma1", "-5", "sign"), ("sigma1", "√5", "square root"),
               ("u1", "[2,1]", "not length 1"), ("u1", "[1,2]/√5", "That is v₁"), ("v1", "[2,1]/√5", "That is u₁"),
               ("v1", "[-1,-2]/√5", "flip together"), ("v1", "[1, 2]", "not length 1")],
}


def _others(instance: HandInstance) -> dict[str, str]:
    return {part.name: expected_text(part.expected) for part in instance.parts}


def _check(instance: HandInstance, name: str, text: str) -> Any:
    part = next(p for p in instance.parts if p.name == name)
    return check_part(part.test, text, part.expected, part.options, _others(instance))


def _cases(table: dict[str, list[Any]]) -> Iterator[Any]:
    for exercise, rows in table.items():
        for row in rows:
            yield pytest.param(exercise, *row, id=f"{exercise}:{row[0]}:{row[1][:30]}")


def test_every_exercise_has_eight_accepted_and_eight_rejected_forms() -> None:
    assert sorted(ACCEPTED) == sorted(REJECTED) == sorted(f"1.ex{n}" for n in range(1, 13))
    assert all(len(rows) >= 8 for rows in ACCEPTED.values())
    assert all(len(rows) >= 8 for rows in REJECTED.values())


@pytest.mark.parametrize(("exercise", "part", "text"), _cases(ACCEPTED))
def test_accepted(instances: dict[str, HandInstance], exercise: str, part: str, text: str) -> None:
    verdict = _check(instances[exercise], part, text)
    assert verdict.ok, verdict.feedback


@pytest.mark.parametrize(("exercise", "part", "text", "feedback"), _cases(REJECTED))
def test_rejected_with_feedback(instances: dict[str, HandInstance], exercise: str, part: str, text: str,
                                feedback: str) -> None:
    verdict = _check(instances[exercise], part, text)
    assert not verdict.ok
    assert feedback in verdict.feedback


def test_parts_are_named_as_the_exercises_ask(instances: dict[str, HandInstance]) -> None:
    names = {key: [part.name for part in instance.parts] for key, instance in instances.items()}
    assert names["1.ex1"] == ["dot", "angle"]
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
    assert f"AB={expected_text(other.parts[0].expected).replace(' ', '')}" in other.solution.replace(" ", "")


def test_whole_submission_grading(instances: dict[str, HandInstance]) -> None:
    result = grade(instances["1.ex1"], ["3", "63.43"])
    assert not result.correct
    assert [p.correct for p in result.parts] == [True, False]
    assert result.feedback == "1 of 2 parts correct."
    assert grade(instances["1.ex1"], ["3", "63.43°"]).correct
    with pytest.raises(ValueError, match="has 2 parts"):
        grade(instances["1.ex1"], ["3"])


def test_every_variant_answer_passes_its_own_test(chapter: Chapter) -> None:
    assert validate_chapter(chapter, variants=8) == []
