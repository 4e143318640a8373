"""Chapter 1 code exercises 14–20: reference and alternative solutions pass, typical mistakes fail
with the feedback that names them, cheats fail, and starters define what the grader calls."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from checkers.grading import GradeReport, grade
from tutor.course.exercise_schema import CodeExercise
from tutor.course.loader import Chapter
from tutor.practice.code import kernel_config
from tutor.settings import Settings

SOLUTIONS = Path(__file__).parents[1] / "fixtures" / "solutions"
EXERCISES = [f"1.ex{n}" for n in range(14, 21)]
LABS = [f"1.lab{n}" for n in range(1, 5)]
SEED = 20260301


def expected_fragment(path: Path) -> str:
    """A wrong solution's first line says what its feedback must contain: `# expect: <text>`."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path} must start with '# expect: ...'"
    return first.removeprefix("# expect: ").strip()


def fixture_files(ids: list[str]) -> list[Any]:
    return [
        (item_id, path) for item_id in ids for path in sorted((SOLUTIONS / item_id).glob("*.py"))
    ]


def grade_path(chapter: Chapter, item_id: str, path: Path) -> GradeReport:
    item = next(i for i in [*chapter.exercises, *chapter.labs] if i.id == item_id)
    config = kernel_config(Settings(), torch="torch" in item.requires)
    return grade(path, chapter.reference(item.grader), entry=item.entry, config=config, seed=SEED)


def failures(report: GradeReport) -> str:
    return (
        "\n".join(f"{t.name}: {t.message}" for t in report.tests if not t.passed)
        or report.load_error
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("item_id", "path"), fixture_files(EXERCISES + LABS), ids=lambda v: getattr(v, "name", v)
)
def test_fixture_solution_gets_the_expected_verdict(
    chapter: Chapter, item_id: str, path: Path
) -> None:
    report = grade_path(chapter, item_id, path)
    if path.name.startswith("good"):
        assert report.correct, failures(report)
    else:
        assert not report.correct
        assert expected_fragment(path) in failures(report), failures(report)


CHALLENGE = SOLUTIONS / "1.lab3" / "challenge"


@pytest.mark.parametrize("path", sorted(CHALLENGE.glob("*.py")), ids=lambda p: p.name)
def test_lab3_challenge_is_checked_but_never_decides_the_lab(chapter: Chapter, path: Path) -> None:
    report = grade_path(chapter, "1.lab3", path)
    assert report.correct, failures(report)  # the required steps are right in every file
    challenge = [t for t in report.tests if t.optional]
    assert len(challenge) == 3 and all("power" in t.name for t in challenge)
    missed = "\n".join(f"{t.name}: {t.message}" for t in challenge if not t.passed)
    if path.name.startswith("good"):
        assert not missed, missed
    else:
        assert expected_fragment(path) in missed, missed


def test_lab3_without_the_challenge_passes_and_says_it_is_open(chapter: Chapter) -> None:
    report = grade_path(chapter, "1.lab3", SOLUTIONS / "1.lab3" / "good.py")
    assert report.correct
    (challenge,) = [t for t in report.tests if t.optional]
    assert not challenge.passed and "not attempted" in challenge.message


def test_optional_checks_alone_never_make_a_file_correct() -> None:
    from checkers.grading import TestResult

    optional_only = GradeReport([TestResult("x", True, optional=True)])
    assert not optional_only.correct  # nothing required passed: nothing was graded
    mixed = GradeReport([TestResult("required", True), TestResult("x", False, optional=True)])
    assert mixed.correct


@pytest.mark.slow
@pytest.mark.parametrize("item_id", EXERCISES + LABS)
def test_reference_solution_in_the_yaml_passes(
    chapter: Chapter, item_id: str, tmp_path: Path
) -> None:
    item = next(i for i in [*chapter.exercises, *chapter.labs] if i.id == item_id)
    path = tmp_path / "solution.py"
    path.write_text(item.solution, encoding="utf-8")
    report = grade_path(chapter, item_id, path)
    assert report.correct, failures(report)
    assert all(t.passed for t in report.tests if t.optional), failures(report)  # challenges too


@pytest.mark.parametrize("item_id", EXERCISES)
def test_every_exercise_has_starter_hints_solution_and_grader(
    chapter: Chapter, item_id: str
) -> None:
    item = next(e for e in chapter.exercises if e.id == item_id)
    assert isinstance(item, CodeExercise)
    assert item.entry and item.grader.startswith("code.grade_")
    assert 2 <= len(item.hints) <= 3
    for text in (item.starter, item.solution):
        defined = {n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}
        assert set(item.entry) <= defined
    assert "NotImplementedError" in item.starter


def test_each_exercise_has_at_least_three_wrong_solutions() -> None:
    for item_id in EXERCISES:
        wrong = list((SOLUTIONS / item_id).glob("wrong_*.py"))
        assert len(wrong) >= 3, item_id
        assert (SOLUTIONS / item_id / "good.py").is_file()


def test_the_starter_runs_but_is_not_correct(chapter: Chapter, tmp_path: Path) -> None:
    item = next(e for e in chapter.exercises if e.id == "1.ex14")
    path = tmp_path / "starter.py"
    path.write_text(item.starter, encoding="utf-8")
    report = grade_path(chapter, "1.ex14", path)
    assert not report.correct
    assert "NotImplementedError" in failures(report)


RULE_CASES = [
    # source, rule name, expected violation fragment ("" = allowed)
    ("def bmm(A, B):\n    return torch.einsum('bnm,bmk->bnk', A, B)\n", "bmm", ""),
    (
        "def h(A, B):\n    return torch.einsum('bnm,bmk->bnk', A, B)\ndef bmm(A, B):\n    "
        "return h(A, B)\n",
        "bmm",
        "",
    ),
    (
        "def h(A, B):\n    return torch.bmm(A, B)\ndef bmm(A, B):\n    return "
        "torch.einsum('bij->bij', h(A, B))\n",
        "bmm",
        "bmm()",
    ),
    ("def bmm(A, B):\n    return A @ B\n", "bmm", "@ operator"),
    ("def bmm(A, B):\n    return torch.matmul(A, B)\n", "bmm", "matmul()"),
    ("def bmm(A, B):\n    return (A[..., None] * B[:, None]).sum(2)\n", "bmm", "must call einsum"),
    (
        "import torch\nassert torch.bmm\ndef bmm(A, B):\n    return "
        "torch.einsum('bnm,bmk->bnk', A, B)\n",
        "bmm",
        "",
    ),
    (
        "def matmul_loops(A, B):\n    return [[np.dot(r, c) for c in B.T] for r in A]\n",
        "matmul",
        "dot()",
    ),
    ("def matmul_loops(A, B):\n    C = 0\n    C += A @ B\n    return C\n", "matmul", "@ operator"),
    ("def matmul_loops(A, B):\n    return np.einsum('ij,jk->ik', A, B)\n", "matmul", "einsum()"),
    ("def power_iteration(A):\n    return np.linalg.eigh(A)\n", "power", "eigh()"),
    ("def other(A):\n    pass\n", "power", "no function named power_iteration"),
    ("def power_iteration(A:\n", "power", "no function named"),
]


@pytest.mark.parametrize(("source", "rule", "fragment"), RULE_CASES)
def test_source_rules_follow_helpers_and_allow_checks_outside(
    chapter: Chapter, source: str, rule: str, fragment: str
) -> None:
    code, labs = chapter.module("code"), chapter.module("labs")
    rules = {"bmm": code.BMM_RULES, "power": code.POWER_RULES, "matmul": labs.MATMUL_RULES}
    violation = code.kit.rule_violation(source, rules[rule])
    if fragment:
        assert violation is not None and fragment in violation, violation
    else:
        assert violation is None, violation
