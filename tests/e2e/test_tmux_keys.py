"""Keys as a fast typist sends them, in the real `tutor start` in tmux at 80×24: a burst lands in
the boxes a person meant, tab never leaves the boxes, quitting keeps what was typed, a hang-up or a
kill keeps the last code edit, and the editor has room."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux_pane import DEADLINE_S, Key, TmuxPane, socket_name

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]


class Pane(TmuxPane):
    """`tutor start --section ID` in a pane; the shell writes the app's exit status down."""

    def __init__(self, socket: str, tmp_path: Path) -> None:
        super().__init__(socket, "keys")
        self.base_socket = socket
        self.starts = 0
        self.data = tmp_path / "data"
        self.status_file = tmp_path / "status"
        self.config = tmp_path / "none.toml"

    def start(self, item: str, size: tuple[int, int] = (80, 24)) -> None:
        env = (
            f"TUTOR_DATA_DIR={self.data} TUTOR_CONFIG={self.config} TUTOR_THEME=ansi-dark "
            "TUTOR_CURSOR_BLINK=false"
        )
        self.status_file.unlink(missing_ok=True)
        self.tmux("kill-server")
        # A fresh server for each start: a new session must not meet the last one shutting down.
        self.starts += 1
        self.socket = f"{self.base_socket}-{self.starts}"
        # pytest-textual-snapshot exports COLUMNS/LINES, which Rich would believe over the pane.
        self.launch(
            f"env -u COLUMNS -u LINES {env} {sys.executable} -m tutor start --section {item}; "
            f"echo $? > {self.status_file}",
            size,
        )

    def app_pid(self) -> int:
        """The app's process (the pane's shell runs it as a child)."""
        shell = int(self.tmux("display-message", "-p", "-t", self.session, "#{pane_pid}").strip())
        until = time.monotonic() + DEADLINE_S
        while time.monotonic() < until:
            children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
            if children:
                return int(children[0])
            time.sleep(0.05)
        raise AssertionError("the app never started")

    def exit_status(self) -> int:
        until = time.monotonic() + DEADLINE_S
        while time.monotonic() < until:
            text = self.status_file.read_text().strip() if self.status_file.exists() else ""
            if text:
                return int(text)
            time.sleep(0.05)
        raise AssertionError(f"the app did not end:\n{self.text()}")


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    pane = Pane(socket_name("tutor-keys"), tmp_path)
    try:
        yield pane
    finally:
        pane.tmux("kill-server")


def test_a_burst_of_two_answers_fills_two_boxes(pane: Pane) -> None:
    pane.start("1.ex1")
    pane.wait_for("1.ex1  Geometry", "esc Commands")
    pane.burst(
        "3",
        Key("Enter"),
        "acos(1/sqrt(5))",
        Key("Enter"),
        Key("Tab"),
        "a = [1, 2], b = [3, 0]",
        Key("Enter"),
    )
    screen = pane.wait_for("✓ dot   ✓ angle   ✓ drawing")
    assert "3acos" not in screen


def test_corrections_in_a_burst_apply_where_they_were_typed(pane: Pane) -> None:
    """Backspace and ctrl+u are the box's own keys: sent in one burst with the text around them,
    they edit what was typed just before them (they used to act after the keys that followed)."""
    pane.start("1.ex2")
    pane.wait_for("1.ex2  Norms", "esc Commands")
    pane.burst(
        "15",
        Key("BSpace"),
        "4",
        Key("Enter"),
        "sqrt(55",
        Key("BSpace"),
        "4)",
        Key("Enter"),
        "9",
        Key("C-u"),
        "5",
        Key("Enter"),
        "L1",
        Key("Enter"),
        "Linf",
        Key("Enter"),
    )
    pane.wait_for("✓ l1   ✓ l2   ✓ linf   ✓ largest   ✓ smallest")


def test_a_correction_in_the_code_editor_lands_in_order(pane: Pane) -> None:
    pane.start("1.ex13")
    pane.wait_for("1.ex13", "center_columns")
    pane.burst(Key("Enter"), "# abcx", Key("BSpace"), "d!")
    pane.wait_for("# abcd!")


def test_a_burst_typed_into_the_contents_is_all_search_text(pane: Pane) -> None:
    pane.start("1.1")
    pane.wait_for("1.1  Scalars", "t Contents")
    pane.keys("t")
    pane.wait_for("type to search its text")
    pane.burst("weight decay")
    screen = pane.wait_for("weight decay in AdamW")
    assert "│  weight decay  " in screen, screen
    pane.burst(Key("Down"), Key("Up"), Key("Enter"))
    pane.wait_for("weight decay in AdamW", "t Contents")


def test_tab_past_the_last_box_and_typing_q_does_not_quit(pane: Pane) -> None:
    pane.start("1.ex2")
    pane.wait_for("1.ex2  Norms", "esc Commands")
    pane.burst(
        "14", Key("Tab"), Key("Tab"), Key("Tab"), Key("Tab"), Key("Tab"), Key("Tab"), "sqrt(54)"
    )
    pane.wait_for("read as: √54")
    time.sleep(0.3)
    assert not pane.status_file.exists(), "the app quit at the q of sqrt(54)"
    assert "1.ex2  Norms" in pane.text()


def test_quitting_keeps_unchecked_answers_for_next_time(pane: Pane) -> None:
    pane.start("1.ex1")
    pane.wait_for("1.ex1  Geometry", "esc Commands")
    pane.burst("3", Key("Enter"), "acos(1/", Key("C-q"))
    assert pane.exit_status() == 0
    pane.start("1.ex1")
    screen = pane.wait_for("1.ex1  Geometry", "▎ acos(1/", "read as: 3")
    assert "▎ 3" in screen


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["hang-up", "kill"])
def test_the_last_code_edit_survives_a_hang_up(pane: Pane, signum: signal.Signals) -> None:
    pane.start("1.ex13")
    pane.wait_for("1.ex13", "center_columns")
    pid = pane.app_pid()
    pane.type("\n# my last words")
    pane.wait_for("# my last words")
    os.kill(pid, signum)  # well within the 1 s the autosave waits for
    assert pane.exit_status() != 0
    pane.start("1.ex13")
    pane.wait_for("1.ex13", "# my last words")


@pytest.mark.parametrize("item", ["1.1", "1.ex13"])
def test_closing_the_terminal_ends_the_app_and_keeps_what_was_typed(pane: Pane, item: str) -> None:
    """The terminal goes away (tmux killed, as an SSH link drops): the app saves and ends. It
    used to stay behind for good, blocked writing to the dead terminal, holding its store."""
    pane.start(item)
    pane.wait_for(item)
    pid = pane.app_pid()
    if item == "1.ex13":
        pane.type("\n# typed before the hang-up")
        pane.wait_for("# typed before the hang-up")
    pane.tmux("kill-server")
    until = time.monotonic() + DEADLINE_S
    while Path(f"/proc/{pid}").exists() and time.monotonic() < until:
        time.sleep(0.05)
    stat = Path(f"/proc/{pid}/stat")
    alive = stat.exists() and stat.read_text().split(") ")[1][0] != "Z"
    assert not alive, f"the app ({pid}) is still running after its terminal went away"
    if item == "1.ex13":
        pane.start("1.ex13")
        pane.wait_for("1.ex13", "# typed before the hang-up")


def test_the_code_editor_has_room_and_no_stray_glyphs_at_80x24(pane: Pane) -> None:
    pane.start("1.ex13")
    screen = pane.wait_for("1.ex13", "center_columns", "^s Check")
    lines = screen.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("╭"))
    bottom = next(i for i, line in enumerate(lines) if i > top and line.startswith("╰"))
    assert bottom - top - 1 >= 12, screen
    assert not {"▊", "▎", "▅"} & set(screen), screen
    # The docstring wraps inside the editor instead of running off its right edge.
    assert 'expression, no loops)."""' in screen, screen


def test_shrinking_the_terminal_to_80x24_keeps_the_editor_usable(pane: Pane) -> None:
    pane.start("1.ex13", size=(120, 40))
    pane.wait_for("1.ex13", "center_columns", "^s Check")
    pane.tmux("resize-window", "-t", pane.session, "-x", "80", "-y", "24")
    until = time.monotonic() + DEADLINE_S
    while True:
        screen = pane.text()
        lines = screen.splitlines()
        if len(lines) <= 24 and all(len(line) <= 80 for line in lines) and "^s Check" in screen:
            break
        assert time.monotonic() < until, screen
        time.sleep(0.05)
    time.sleep(0.3)
    screen = pane.text()
    lines = screen.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("╭"))
    bottom = next(i for i, line in enumerate(lines) if i > top and line.startswith("╰"))
    assert bottom - top - 1 >= 12 and 'expression, no loops)."""' in screen, screen
    assert not {"▊", "▎", "▅"} & set(screen), screen
