"""Every code exercise's starter demo (its `__main__` block) runs once the stubs are solved: the
starter's own lines of code are executed, with the reference solution's functions in place."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tutor.course.exercise_schema import CodeExercise
from tutor.course.loader import load_course

EXERCISES = [e for c in load_course().chapters for e in c.exercises if isinstance(e, CodeExercise)]


def solved_starter(exercise: CodeExercise) -> str:
    """The starter with each function the solution defines replaced by the solution's."""
    solution = ast.parse(exercise.solution)
    solved = {n.name for n in solution.body if isinstance(n, ast.FunctionDef)}
    starter = ast.parse(exercise.starter)
    kept = [n for n in starter.body if not (isinstance(n, ast.FunctionDef) and n.name in solved)]
    main = [n for n in kept if isinstance(n, ast.If)]
    rest = [n for n in kept if not isinstance(n, ast.If)]
    module = ast.Module(body=[*rest, *solution.body, *main], type_ignores=[])
    return ast.unparse(module)


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_the_starter_demo_runs_with_the_solution(exercise: CodeExercise) -> None:
    if "torch" in exercise.requires:
        pytest.importorskip("torch")
    assert "__main__" in exercise.starter, f"{exercise.id}: the starter has no demo to run"
    done = subprocess.run(
        [sys.executable, "-I", "-c", solved_starter(exercise)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "HOME": "/nonexistent"},
    )
    assert done.returncode == 0, f"{exercise.id}: {done.stderr[-1500:]}"
    assert done.stdout.strip(), f"{exercise.id}: the demo printed nothing"
