"""STACK's own answer-test fixtures (translated in ../shared/data/stack-answer-tests.tsv) as a test
table.

`equivalent` must agree with every AlgEquiv, Sets, NumRelative and NumAbsolute row except those with
complex numbers (the learner language has no `i`). NumSigFigs rows are followed except the
documented DEVIATIONS. Form tests (EqualComAss), NumDecPlaces and GT are answer tests the tutor does
not offer; NumDecPlacesWrong is covered by the power-of-ten mistake detector.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from checkers import equivalent

TABLE = Path(__file__).parents[1] / "fixtures" / "stack-answer-tests.tsv"
COMPARED = {"AlgEquiv", "Sets", "NumRelative", "NumAbsolute", "NumSigFigs"}
COMPLEX = re.compile(r"(^|[^a-z])(i|I)([^a-z]|$)|sqrt\(-1\)")

DEVIATIONS = {
    (
        "9.8",
        "10",
    ): "DESIGN.md: the decimal must equal the expected value rounded to n s.f.; 10 to 2 s.f. "
    "is 10, so 9.8 is wrong (STACK condones ±0.5 in the teacher's last place).",
    ("3.143", "3.1415927"): "needs STACK's accuracy_sf option (condone the last digit), which "
    "`equivalent` does not have; with sigfigs=4 the answer is inaccurate.",
}


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _options(text: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key in ("rtol", "atol"):
        match = re.search(rf"{key}=([\d.e-]+)", text)
        if match:
            options[key] = float(match.group(1))
    match = re.search(r"sigfigs>?=(\d+)", text)
    if match:
        options["sigfigs"] = int(match.group(1))
    if "x real" in text:
        options["real"] = True
    return options


def _cases() -> list[Any]:
    cases = []
    for row in _rows():
        if row["test"] not in COMPARED:
            continue
        if COMPLEX.search(row["student"]) or COMPLEX.search(row["teacher"]):
            continue
        expected = row["expected"] == "true"
        key = (row["student"], row["teacher"])
        if key in DEVIATIONS:
            expected = not expected
        cases.append(
            pytest.param(
                row["student"],
                row["teacher"],
                _options(row["options"]),
                expected,
                id=f"{row['test']}:{row['student'][:25]}|{row['teacher'][:25]}",
            )
        )
    return cases


def test_table_is_present_and_complete() -> None:
    rows = _rows()
    assert len(rows) == 99
    assert len(_cases()) >= 80


@pytest.mark.parametrize(("student", "teacher", "options", "expected"), _cases())
def test_stack_fixture(student: str, teacher: str, options: dict[str, Any], expected: bool) -> None:
    verdict = equivalent(student, teacher, **options)
    assert bool(verdict) is expected, verdict.feedback


POLICY_DEVIATIONS = {
    (
        "1000",
        "999",
    ): "the exercises ask for at least 3 significant figures; 1000 for 999 is right only to 2.",
    (
        "9.8",
        "10",
    ): "10 is exact, so only 10 or a correct rounding of it is right (STACK condones ±0.5 in "
    "the teacher's last place).",
    (
        "3.143",
        "3.1415927",
    ): "the exercises do not condone an error in the last digit (STACK's accuracy_sf).",
}


def _num_sig_figs_rows() -> list[Any]:
    rows = []
    for row in _rows():
        if row["test"] != "NumSigFigs":
            continue
        expected = row["expected"] == "true"
        key = (row["student"], row["teacher"])
        if key in POLICY_DEVIATIONS:
            expected = not expected
        rows.append(
            pytest.param(
                row["student"], row["teacher"], expected, id=f"{row['student']}|{row['teacher']}"
            )
        )
    return rows


@pytest.mark.parametrize(("student", "teacher", "expected"), _num_sig_figs_rows())
def test_the_exercises_rounding_policy_agrees_with_stack_num_sig_figs(
    student: str, teacher: str, expected: bool
) -> None:
    """The one policy of every exercise (exact, or correctly rounded to the figures typed, at least
    3)
    against STACK's significant-figure fixtures; POLICY_DEVIATIONS says where and why it differs."""
    verdict = equivalent(student, teacher, rounded=True)
    assert bool(verdict) is expected, verdict.feedback


def test_policy_deviations_are_real_rows() -> None:
    keys = {(row["student"], row["teacher"]) for row in _rows() if row["test"] == "NumSigFigs"}
    assert set(POLICY_DEVIATIONS) <= keys
    assert len(_num_sig_figs_rows()) >= 10


@pytest.mark.parametrize(
    ("student", "teacher", "slip"),
    [("3.141", "31.41", True), ("3.141", "31.14", False), ("0.0314", "3.14", True)],
)
def test_num_dec_places_wrong_rows_fire_the_power_of_ten_detector(
    student: str, teacher: str, slip: bool
) -> None:
    verdict = equivalent(student, teacher)
    assert not verdict
    assert ("power of ten" in verdict.feedback) is slip
