"""The one grading toolkit: tolerance rules (infinities, NaN), and the SKIP state from a grader's
result through the verdict to `tutor check` text and JSON and the screens' test table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from checkers.grading import GradeReport, TestResult, compare_arrays, kit
from tutor.practice.code import CodeResult, _print_text, _summary, result_json, status_word

INF = np.inf


@pytest.mark.parametrize(
    ("got", "expected", "same"),
    [
        ([1.0, -INF], [1.0, -INF], True),  # a masked score: the learner's -inf is right
        ([1.0, INF], [1.0, -INF], False),  # an infinity of the other sign
        ([1.0, 1e300], [1.0, INF], False),  # finite against infinite, whatever the tolerance
        ([1.0, INF], [1.0, 1e300], False),
        ([np.nan], [np.nan], False),  # NaN never matches, not even NaN
        ([1.0, 2.0], [1.0, 2.0 + 1e-12], True),
        ([1.0, 2.0], [[1.0, 2.0]], False),  # same numbers, another shape
    ],
)
def test_close_treats_infinities_and_nan_one_way_everywhere(
    got: list, expected: list, same: bool
) -> None:
    got_a, expected_a = np.array(got), np.array(expected)
    assert kit.close(got_a, expected_a, 1e-9, 1e-12) is same
    if got_a.shape == expected_a.shape and not np.isnan(got_a).any():
        verdict = compare_arrays(got_a, expected_a, name="scores", rtol=1e-9, atol=1e-12)
        assert verdict.passed is same, verdict.message


def _report(*tests: TestResult) -> GradeReport:
    return GradeReport(list(tests))


def test_a_skip_decides_nothing_either_way() -> None:
    passed, failed = kit.ok("values", "ok"), kit.fail("values", "wrong")
    skipped = kit.skip("CUDA timing", "no CUDA device")
    assert skipped.status == "skipped" and not skipped.passed
    assert _report(passed, skipped).correct, "a skip does not make a right file wrong"
    assert not _report(failed, skipped).correct, "nor a wrong file right"
    assert not _report(skipped).correct, "a file none of whose tests ran is not correct"


def _result(*tests: TestResult) -> CodeResult:
    report = _report(*tests)
    return CodeResult("1.lab2", report.correct, list(tests), _summary(list(tests), ""), seed=7)


def test_check_text_and_json_say_skip_never_pass(capsys: pytest.CaptureFixture[str]) -> None:
    result = _result(
        kit.ok("matmul_loops · 6×6", "ok"), kit.skip("CUDA timing", "no CUDA device here")
    )
    _print_text(result)
    lines = capsys.readouterr().out.splitlines()
    assert "PASS  matmul_loops · 6×6" in lines
    assert "SKIP  CUDA timing" in lines and not any("PASS  CUDA" in line for line in lines)
    assert any(
        line.startswith("Correct.") and "1 skipped: no CUDA device here" in line for line in lines
    )
    tests = json.loads(json.dumps(result_json(result, 0)))["tests"]
    assert [(t["name"], t["status"], t["passed"]) for t in tests] == [
        ("matmul_loops · 6×6", "passed", True),
        ("CUDA timing", "skipped", None),
    ]


def status_words_for_every_state() -> None:
    assert [
        status_word(t)
        for t in (
            kit.ok("a"),
            kit.fail("b", "x"),
            kit.skip("c", "y"),
            TestResult("d", True, optional=True),
            TestResult("e", False, optional=True),
            TestResult.skip("f", "z", optional=True),
        )
    ] == ["PASS", "FAIL", "SKIP", "pass", "open", "skip"]


async def test_the_test_table_shows_a_skip_as_neither_tick_nor_cross() -> None:
    from textual.app import App, ComposeResult

    from tutor.widgets.code_editor import TestTable

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield TestTable()

    app = Host()
    async with app.run_test() as pilot:
        table = app.query_one(TestTable)
        table.show([kit.ok("values"), kit.skip("CUDA timing", "no CUDA device")])
        await pilot.pause()
        marks = [str(table.get_row_at(i)[0]) for i in range(2)]
        names = [str(table.get_row_at(i)[1]) for i in range(2)]
        assert marks == ["✓", "–"] and names[1] == "CUDA timing (skipped)"


def test_the_toolkit_is_one_copy(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    assert not (repo / "content" / "ch1" / "gradekit.py").exists()
    assert not (repo / "content" / "ch1" / "calls.py").exists()
    for module in (repo / "content" / "ch1").glob("*.py"):
        assert "spec_from_file_location" not in module.read_text(encoding="utf-8"), module.name
