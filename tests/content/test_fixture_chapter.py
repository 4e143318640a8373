"""A second chapter made only of data and its own reference code (tests/fixtures/course/ch2) loads,
validates, grades (hand, code and lab) and renders its lab's measurements with no engine change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from tests.tutor.test_code_screen import host
from tutor.cli import main
from tutor.course.exercise_schema import CodeExercise, HandExercise, Lab
from tutor.course.loader import Chapter, load_course
from tutor.practice import code, hand
from tutor.practice.lab import validate_chapter
from tutor.screens.lab import LabScreen
from tutor.settings import Settings

COURSE = Path(__file__).parents[1] / "fixtures" / "course"


@pytest.fixture(scope="module")
def ch2() -> Chapter:
    return load_course(COURSE).chapters[0]


def test_it_loads_with_one_item_of_each_kind(ch2: Chapter) -> None:
    kinds = {type(item).__name__ for item in [*ch2.exercises, *ch2.labs]}
    assert kinds == {"HandExercise", "CodeExercise", "Lab"}
    assert ch2.module("grading").calc is ch2.module("calc"), "reference modules are one package"
    assert validate_chapter(ch2) == []


def test_validate_runs_its_graders_and_plan(
    tmp_path: Path, tutor_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "course"
    shutil.copytree(COURSE, root, ignore=shutil.ignore_patterns("__pycache__"))
    assert main(["validate", str(root)]) == 0
    labs = root / "ch2" / "labs.yaml"
    good = labs.read_text(encoding="utf-8")
    labs.write_text(good.replace("float(_c)})", "float(_c)}"), encoding="utf-8")
    assert main(["validate", str(root)]) == 1
    assert "2.lab1: step 'difference_errors' is not valid Python" in capsys.readouterr().err
    labs.write_text(
        good.replace("    measure:\n", "    measure:\n      plan: grading.grade_lab1\n"),
        encoding="utf-8",
    )
    assert main(["validate", str(root)]) == 1
    assert "either a plan or steps" in capsys.readouterr().err


def test_its_hand_exercise_grades(ch2: Chapter) -> None:
    exercise = next(item for item in ch2.exercises if item.id == "2.ex1")
    assert isinstance(exercise, HandExercise)
    instance = hand.make_instance(ch2, exercise)
    assert hand.grade(instance, ["12"], hand.check_in_process).correct
    assert not hand.grade(instance, ["13"], hand.check_in_process).correct


@pytest.mark.parametrize(
    ("item_id", "wrong"),
    [
        ("2.ex2", "def central_difference(y, h):\n    return (y[1:] - y[:-1]) / h\n"),
        ("2.lab1", "def difference_errors(h):\n    return 0.0, 0.0\n"),
    ],
)
def test_its_code_exercise_and_lab_grade(
    ch2: Chapter, settings: Settings, tmp_path: Path, item_id: str, wrong: str
) -> None:
    item = next(item for item in [*ch2.exercises, *ch2.labs] if item.id == item_id)
    assert isinstance(item, (CodeExercise, Lab))
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(item.solution, encoding="utf-8")
    bad.write_text(wrong, encoding="utf-8")
    right = code.grade_file(ch2, item, good, settings, seed=3, standby=False)
    assert right.correct, right.feedback
    assert not code.grade_file(ch2, item, bad, settings, seed=3, standby=False).correct


async def test_its_lab_measures_and_renders_the_declared_table_and_plot(
    ch2: Chapter, settings: Settings
) -> None:
    lab = ch2.labs[0]
    app, _ = host(
        settings, lambda session: LabScreen(session, ch2, lab), drafts={lab.id: lab.solution}
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#lab-table-errors", DataTable)
        assert table.row_count == 12
        assert [str(cell) for cell in table.get_row_at(0)][0] == "1"
        assert app.screen.query_one("#lab-plot-errors").display
        assert "Measurements done" in str(app.screen.query_one("#code-status", Static).render())
