"""A learner's day with the real `tutor start` in tmux, read only from the screen: read, answer,
code,
review, stats, quit; the next session shows the progress. At 80×24 and 120×40; at 60×20 the app asks
for more room.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux_pane import DEADLINE_S, TmuxPane, socket_name

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]

DAY_ONE = "2026-03-02T09:00:00+00:00"
DAY_FOUR = "2026-03-05T09:00:00+00:00"
HOME = "Linear Algebra for ML"
SOLUTION_13 = "import numpy as np\n\n\ndef center_columns(X):\n    return X - X.mean(axis=0)\n"


class Pane(TmuxPane):
    """The pane of `tutor start`, with what a person does on it: answer, wait, escape, use the
    palette."""

    def __init__(self, socket: str, env: dict[str, str], status_file: Path) -> None:
        super().__init__(socket, "e2e")
        self.env = env
        self.status_file = status_file

    def start(self, size: tuple[int, int], now: str) -> None:
        """Launch `tutor start` at `size` with the clock at `now`; the pane stays after the app
        exits."""
        env = " ".join(f"{key}={value}" for key, value in {**self.env, "TUTOR_NOW": now}.items())
        # pytest-textual-snapshot exports COLUMNS=80 LINES=24, and Rich would believe them over the
        # pane.
        # The shell records the app's exit status: tmux's own pane_dead_status is not reliable here.
        self.status_file.unlink(missing_ok=True)
        command = (
            f"env -u COLUMNS -u LINES {env} {sys.executable} -m tutor start; "
            f"echo $? > {self.status_file}"
        )
        self.tmux("kill-server")
        # A fresh server for each start: a new session must not meet the last one shutting down
        # (under load tmux then lost the new session and the screen stayed empty).
        self.starts = getattr(self, "starts", 0) + 1
        self.socket = f"{self.socket.split('~')[0]}~{self.starts}"
        self.launch(command, size)

    def cursor(self) -> str:
        """Where the terminal cursor is: Textual puts it in the focused input box."""
        return self.tmux(
            "display-message", "-p", "-t", self.session, "#{cursor_x},#{cursor_y}"
        ).strip()

    def answer(self, text: str) -> None:
        """Type into the focused box and wait until a box shows it, as a person looks before going
        on
        (ctrl+s is a priority key: pressed at once, it would overtake keystrokes queued for the
        box)."""
        self.type(text)
        until = time.monotonic() + DEADLINE_S
        while not any(line.strip(" ▊▎") == text for line in self.text().splitlines()):
            assert time.monotonic() < until, f"no answer box shows {text!r}:\n{self.text()}"
            time.sleep(0.02)

    def still(self, before: str | None = None) -> None:
        """Wait until the screen (with colours) has changed from `before`, if given, and then stayed
        the same for 0.3 s: a person reads what happened before pressing the next key."""
        until = time.monotonic() + DEADLINE_S
        last, still_since = self.styled(), time.monotonic()
        while True:
            time.sleep(0.03)
            now = self.styled()
            if now != last:
                last, still_since = now, time.monotonic()
            elif now != before and time.monotonic() - still_since >= 0.3:
                return
            assert time.monotonic() < until, f"the screen never settled:\n{self.text()}"

    def next_box(self) -> None:
        """Enter moves to the next answer box (its border changes colour; focus moves a moment
        later)."""
        before = self.styled()
        self.keys("Enter")
        self.still(before)

    def seen_within(self, needle: str, seconds: float) -> bool:
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            if needle in self.text():
                return True
            time.sleep(0.05)
        return False

    def escape_to(self, needle: str) -> str:
        """Press escape (first leaving an input box, then the screen) until `needle` shows."""
        for _ in range(4):
            self.keys("Escape")
            if self.seen_within(needle, 3.0):
                return self.text()
        return self.wait_for(needle)

    def palette(self, command: str, expect: str) -> str:
        """Open an item through the command palette and wait for its screen."""
        self.keys("C-p")
        self.wait_for("🔎")
        self.type(command)
        self.wait_for(command)
        self.keys("Enter")
        return self.wait_for(expect)

    def exit_status(self) -> int:
        """The app's exit status once it has quit."""
        until = time.monotonic() + DEADLINE_S
        while not self.status_file.is_file() or not self.status_file.read_text().strip():
            assert time.monotonic() < until, f"the app did not exit:\n{self.text()}"
            time.sleep(0.05)
        return int(self.status_file.read_text())


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    solution = tmp_path / "solution_13.py"
    solution.write_text(SOLUTION_13, encoding="utf-8")
    env = {
        "TUTOR_DATA_DIR": str(tmp_path / "data"),
        "TUTOR_CONFIG": str(tmp_path / "none.toml"),
        # The "editor" puts the learner's finished file in place: the $EDITOR round trip, no typing.
        "TUTOR_EDITOR": f"'cp {solution}'",
        # Two exercises are new today before the review, so one new one is left for the session.
        "TUTOR_NEW_PER_DAY": "3",
        "TERM": "xterm-256color",
    }
    pane = Pane(socket_name("tutor-day"), env, tmp_path / "exit-status")
    try:
        yield pane
    finally:
        pane.tmux("kill-server")


def norms_answers(screen: str) -> list[str]:
    """What a learner works out for 1.ex2 from the vector on screen: L1, L2, L∞, largest,
    smallest."""
    found = re.search(r"v=\[([-\d, ]+)\]", screen)
    assert found, screen
    v = [int(x) for x in found.group(1).split(",")]
    l2_squared = sum(x * x for x in v)
    assert max(abs(x) for x in v) < math.sqrt(l2_squared) < sum(abs(x) for x in v), (
        "norms tie: pick another variant"
    )
    return [
        str(sum(abs(x) for x in v)),
        f"sqrt({l2_squared})",
        str(max(abs(x) for x in v)),
        "L1",
        "L∞",
    ]


def live_a_day(pane: Pane, size: tuple[int, int]) -> None:
    pane.start(size, DAY_ONE)
    home = pane.wait_for(HOME, "sections read", "0 due for review")
    assert re.search(r"\b0/\d+ sections read", home), home

    # Read a section: enter opens the highlighted first section, End reads on to its end (a section
    # counts as read once its end has been on screen); b goes back, now marked read.
    pane.keys("Enter")
    pane.wait_for("1.1  Scalars, Vectors and Norms", "section 1 of")
    pane.keys("End")
    pane.wait_for("Practice (tab to it")
    pane.keys("b")
    home = pane.wait_for("✓ 1.1", "1/")
    assert re.search(r"\b1/\d+ sections read", home), home

    # A hand exercise: wrong first (the detector explains), then right with the worked solution.
    pane.palette("Open 1.ex7 Rank", "What is the rank of")
    pane.answer("3")
    pane.keys("Enter")
    pane.wait_for("Not right yet.", "rank counts independent rows", "Rated Again")
    pane.still()
    pane.keys("BSpace")
    pane.answer("1")
    pane.keys("C-s")
    pane.wait_for("Correct.", "Rated Hard", "Worked solution")
    pane.escape_to("sections read")

    # A code exercise: the file comes back from the external editor, then ctrl+s grades it.
    pane.palette("Open 1.ex13 Code: Broadcasting", "center_columns")
    pane.keys("C-o")
    pane.wait_for("Reloaded from")
    pane.keys("C-s")
    graded = pane.wait_for("Correct. All", "tests passed")
    assert "✗" not in graded, graded
    pane.escape_to("sections read")

    # Review: the one new exercise left today, as a fresh variant, answered from the screen.
    pane.keys("r")
    screen = pane.wait_for("Norms · variant", "v=[")
    *first, last = norms_answers(screen)
    for answer in first:
        pane.answer(answer)
        pane.next_box()
    pane.answer(last)
    pane.keys("Enter")
    pane.wait_for("All 5 parts correct.")
    pane.keys("Enter")  # a solved item: enter goes on; after the last one, the summary
    summary = pane.wait_for("Session summary", "Right: 1", "Wrong: 0")
    assert "Skipped: 0" in summary, summary
    pane.escape_to("sections read")

    # Stats count what the day held: 1.ex7 twice, 1.ex13 and 1.ex2 once each.
    pane.keys("s")
    pane.wait_for("Progress", "4 attempts (3 right) on 3 items")
    pane.escape_to("sections read")
    pane.keys("q")
    assert pane.exit_status() == 0

    # Three days later the same data dir shows the read mark and what came due: all three. A first
    # solve is learning, not recall, so each comes back the next study day to show it stuck.
    pane.start(size, DAY_FOUR)
    home = pane.wait_for(HOME, "✓ 1.1", "due for review")
    assert re.search(r"\b1/\d+ sections read · 3 due for review", home), home
    pane.keys("q")
    assert pane.exit_status() == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_a_learners_day_and_the_next_session(pane: Pane, size: tuple[int, int]) -> None:
    live_a_day(pane, size)


def test_a_terminal_too_small_asks_for_room_then_recovers(pane: Pane) -> None:
    pane.start((60, 20), DAY_ONE)
    screen = pane.wait_for("needs at least", "this terminal is 60×20")
    assert "Traceback" not in screen
    pane.tmux("resize-window", "-t", pane.session, "-x", "80", "-y", "24")
    pane.wait_for(HOME, "sections read")
    pane.keys("q")
    assert pane.exit_status() == 0
