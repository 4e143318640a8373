"""Keys typed ahead of a screen change, in the real `tutor` in tmux at 80×24: each burst is one
tmux command list (one write to the terminal, read by the app before it draws again), so every key
after the one that opens a screen is read while that screen is still opening. Each key must be
handled by the screen the key before it opened, in order, none lost or doubled."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux_pane import Key, TmuxPane, socket_name

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]


class Pane(TmuxPane):
    """`tutor ARGS` in a pane on a fresh data dir."""

    def __init__(self, socket: str, tmp_path: Path) -> None:
        super().__init__(socket, "ahead")
        self.env = (
            f"TUTOR_DATA_DIR={tmp_path / 'data'} TUTOR_CONFIG={tmp_path / 'none.toml'} "
            "TUTOR_THEME=ansi-dark TUTOR_CURSOR_BLINK=false"
        )

    def start(self, *args: str) -> None:
        # pytest-textual-snapshot exports COLUMNS/LINES, which Rich would believe over the pane.
        command = f"{sys.executable} -m tutor {' '.join(args)}"
        self.launch(f"env -u COLUMNS -u LINES {self.env} {command}")


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    # One server per test: a new session must not meet the last one shutting down.
    pane = Pane(socket_name("tutor-ahead"), tmp_path)
    try:
        yield pane
    finally:
        pane.tmux("kill-server")


def search_box(screen: str) -> str:
    """The text in the contents' search box (the line under the contents' title)."""
    lines = screen.splitlines()
    title = next(i for i, line in enumerate(lines) if "type to search its text" in line)
    return lines[title + 2].strip(" │")


def test_letters_typed_right_after_t_are_the_contents_search(pane: Pane) -> None:
    """The case as found: `t` and a word in one write. The word has reader commands in it (n:
    next section, o: outline): they must be search text, and the reader must not act on them."""
    pane.start("start", "--section", "1.1")
    pane.wait_for("1.1  Scalars", "t Contents")
    pane.burst("tnorm")
    screen = pane.wait_for("type to search its text", "│  norm ", "Norms: measuring length")
    assert search_box(screen) == "norm", screen
    pane.burst(Key("Escape"))
    screen = pane.wait_for("t Contents", "Chapter 1 · ")  # the contents have closed
    assert "section 1 of 8" in screen, screen  # `n` did not move the reader on


def test_enter_on_home_then_t_and_a_search_land_in_order(pane: Pane) -> None:
    """Two screen changes in one write: enter opens the highlighted section, `t` the contents
    over it, and the rest is the search."""
    pane.start("start")
    pane.wait_for("1.1  Scalars, Vectors and Norms", "⏎ Open")
    pane.burst(Key("Enter"), "tsvd")
    # The hits show once the search has run on the whole word.
    screen = pane.wait_for("type to search its text", "│  svd ", "1.6  Singular Value")
    assert search_box(screen) == "svd", screen
    pane.burst(Key("Escape"))
    screen = pane.wait_for("t Contents", "Chapter 1 · ")
    assert "1.1  Scalars, Vectors and Norms" in screen and "section 1 of 8" in screen, screen


def test_an_answer_typed_right_after_n_goes_into_the_next_exercise(pane: Pane) -> None:
    """`n` on a closed exercise leaves it and opens the next one; digits typed straight after are
    the next exercise's first answer, not rating keys (1–4) of the one being left."""
    pane.start("start", "--section", "1.ex1")
    pane.wait_for("1.ex1  Geometry", "esc Commands")
    pane.keys("C-g")  # give up: the boxes close and plain keys act
    pane.wait_for("Worked solution", "n Next")
    pane.burst("n14", Key("Tab"), "sqrt(54)")
    screen = pane.wait_for("1.ex2  Norms", "▎ sqrt(54)")
    assert "▎ 14" in screen, screen


def test_enter_on_an_answered_review_item_then_the_next_items_answer(pane: Pane) -> None:
    """Enter on a closed item goes on to the review's next item (the item screen closes, the
    session opens the next one); the digits typed straight after are that item's first answer.
    (This one held before too: enter is a priority key there, acted on as it is read.)"""
    pane.start("review")
    pane.wait_for("review 1 of 10", "1.ex2  Norms", "esc Commands")
    pane.keys("C-g")
    # Recorded (a worker) before enter: enter on an unrecorded item pauses the session instead.
    pane.wait_for("Worked solution", "esc Pause", "Rated Again")
    pane.burst("\r18")  # enter and the digits in one write
    screen = pane.wait_for("review 2 of 10", "▎ 18", "read as: 18")
    assert screen.count("▎ 18") == 1, screen
