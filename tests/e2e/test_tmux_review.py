"""A review day in the real app, in tmux at 80×24: answer 1.ex11, come back a day later with `tutor
review`,
meet a different variant of it (other numbers), answer it, see the session summary."""

from __future__ import annotations

import math
import re
import shutil
import sys
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest

from tests.e2e.tmux_pane import DEADLINE_S, TmuxPane, socket_name

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]

DAY_ONE = "2026-03-02T10:00:00+00:00"
DAY_TWO = "2026-03-03T10:00:00+00:00"
STATED = "[[2,1],[1,2]]"
"""The matrix of 1.ex11 as the chapter states it (variant 0)."""


class Pane(TmuxPane):
    """The pane of `tutor review` and `tutor start`, restarted in place between sessions."""

    def __init__(self, socket: str, env: str) -> None:
        super().__init__(socket, "rv")
        self.env = env

    def run(self, command: str, now: str, *extra_env: str) -> None:
        """(Re)start the pane on `tutor COMMAND` with the clock at `now`."""
        # The shell prints the app's exit status and exits with it: either is read by
        # wait_until_exited.
        # pytest-textual-snapshot exports COLUMNS/LINES, which Rich would believe over the pane's
        # size.
        line = (
            f"env -u COLUMNS -u LINES {self.env} TUTOR_NOW={now} {' '.join(extra_env)} "
            f"{sys.executable} -m tutor {command}; "
            "s=$?; echo tutor exited with $s; exit $s"
        )
        if self.tmux("list-sessions").strip():
            self.tmux("respawn-pane", "-k", "-t", self.session, line)
        else:
            self.launch(line)

    def wait_until_exited(self) -> int:
        """The app's exit status, from the pane's last words or from tmux's dead-pane status."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            printed = re.search(r"tutor exited with (\d+)", self.text())
            if printed:
                return int(printed.group(1))
            dead, _, status = (
                self.tmux(
                    "display-message", "-p", "-t", self.session, "#{pane_dead}|#{pane_dead_status}"
                )
                .strip()
                .partition("|")
            )
            if dead == "1" and status:
                return int(status)
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not exit; the screen was:\n{self.text()}")
            time.sleep(0.05)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    env = (
        f"TUTOR_DATA_DIR={tmp_path / 'data'} TUTOR_CONFIG={tmp_path / 'none.toml'} "
        "TUTOR_THEME=ansi-dark TUTOR_CURSOR_BLINK=0"
    )
    pane = Pane(socket_name("tutor-review"), env)
    try:
        yield pane
    finally:
        pane.tmux("kill-server")


def eigenvalue_answer(matrix: str) -> str:
    """Both eigenvalues of the 2×2 matrix on screen, exactly, in the learner's language."""
    (a, b), (c, d) = [
        [int(x) for x in row.split(",")] for row in re.findall(r"\[(-?\d+,-?\d+)\]", matrix)
    ]
    trace, det = a + d, a * d - b * c
    disc = trace * trace - 4 * det
    root = math.isqrt(disc)
    if root * root == disc:
        return f"{Fraction(trace + root, 2)}, {Fraction(trace - root, 2)}"
    return f"({trace} + sqrt({disc}))/2, ({trace} - sqrt({disc}))/2"


def shown_matrix(screen: str) -> str:
    found = re.search(r"Find eigenvalues of (\[\[.*?\]\])", screen)
    assert found, screen
    return found.group(1)


def test_a_reviewed_exercise_comes_back_as_another_variant(pane: Pane) -> None:
    pane.run("start", DAY_ONE)
    pane.wait_for("Linear Algebra for ML", "1.1")
    pane.keys("C-p")
    pane.wait_for("Search for commands")
    pane.type("1.ex11 Eigen")
    pane.wait_for("Open 1.ex11")
    pane.keys("Enter")
    first = pane.wait_for("Find eigenvalues of", "Both eigenvalues")
    assert shown_matrix(first) == STATED
    pane.type("3, 2")
    pane.wait_for("read as: 3, 2")
    pane.keys("Enter")
    pane.wait_for("Not right yet.", "Rated Again")
    pane.keys("C-u")
    # Textual runs ctrl+u as a binding after the keys already queued: let it finish before typing
    # on.
    pane.wait_for("significant figures")  # the empty box shows the numeric policy again
    pane.type("λ1 = 3, λ2 = 1")
    pane.wait_for("read as: λ1 = 3, λ2 = 1")
    pane.keys("Enter")
    pane.wait_for("✓ right", "Worked solution")
    pane.keys("q")
    assert pane.wait_until_exited() == 0

    pane.run("review", DAY_TWO, "TUTOR_NEW_PER_DAY=0")
    again = pane.wait_for("1.ex11", "variant", "review 1 of 1", "Find eigenvalues of")
    matrix = shown_matrix(again)
    assert matrix != STATED, "a review asks a new variant, not the numbers already answered"
    pane.type(eigenvalue_answer(matrix))
    pane.wait_for("read as:")
    pane.keys("Enter")
    pane.wait_for("✓ right", "next review")
    pane.keys("n")
    summary = pane.wait_for("Session summary", "Right: 1   Wrong: 0   Skipped: 0", "100%")
    assert "Next review in" in summary
    pane.keys("Escape")
    pane.wait_for("Linear Algebra for ML")
    pane.keys("q")
    assert pane.wait_until_exited() == 0
