"""1.ex13's feedback names the learner's mistake, also on an input where two mistakes look alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkers.grading import grade
from tutor.course.loader import Chapter
from tutor.practice.code import kernel_config
from tutor.settings import Settings

WRONG = {
    "whole-matrix mean": "return X - X.mean()",
    "row means": "return X - X.mean(axis=1, keepdims=True)",
}


@pytest.mark.parametrize("mistake", list(WRONG))
def test_a_single_row_input_is_not_blamed_on_the_wrong_axis(
    chapter: Chapter, tmp_path: Path, mistake: str
) -> None:
    item = next(i for i in chapter.exercises if i.id == "1.ex13")
    path = tmp_path / "mine.py"
    path.write_text(f"def center_columns(X):\n    {WRONG[mistake]}\n", encoding="utf-8")
    report = grade(
        path,
        chapter.reference(item.grader),
        entry=item.entry,
        config=kernel_config(Settings()),
        seed=13,
    )
    messages = {test.name: test.message for test in report.tests if not test.passed}
    single_row = messages["(1, 3): a single row"]
    assert "You subtracted one mean of all the entries" in single_row, single_row
    assert "each row's mean" not in single_row
    assert "one mean per column (axis=0)" in single_row
    many_rows = messages["(100, 4) activations"]
    expected = "whole matrix" if mistake == "whole-matrix mean" else "each row's mean"
    assert expected in many_rows
