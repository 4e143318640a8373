"""STACK's own answer-test fixtures (translated in ../shared/data/stack-answer-tests.tsv) as a test table.

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

TABLE = Path(__file__).parent / "fixtures" / "stack-answer-tests.tsv"
COMPARED = {"AlgEquiv", "Sets", "NumRelative", "NumAbsolute", "NumSigFigs"}
COMPLEX = re.compile(r"(^|[^a-z])(i|I)([^a-z]|$)|sqrt\(-1\)")

DEVIATIONS = {
    ("9.8", "10"): "DESIGN.md: the decimal must equal the expected value rounded to n s.f.; 10 to 2 s.f. "
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
        cases.append(pytest.param(row["student"], row["teacher"], _options(row["options"]), expected,
                                  id=f"{row['test']}:{row['student'][:25]}|{row['teacher'][:25]}"))
    return cases


def test_table_is_present_and_complete() -> None:
    rows = _rows()
    assert len(rows) == 99
    assert len(_cases()) >= 80


@pytest.mark.parametrize(("student", "teacher", "options", "expected"), _cases())
def test_stack_fixture(student: str, teacher: str, options: dict[str, Any], expected: bool) -> None:
    verdict = equivalent(student, teacher, **options)
    assert bool(verdict) is expected, verdict.feedback


@pytest.mark.parametrize(
    ("student", "teacher", "slip"),
    [("3.141", "31.41", True), ("3.141", "31.14", False), ("0.0314", "3.14", True)],
)
def test_num_dec_places_wrong_rows_fire_the_power_of_ten_detector(student: str, teacher: str, slip: bool) -> None:
    verdict = equivalent(student, teacher)
    assert not verdict
    assert ("power of ten" in verdict.feedback) is slip
