"""The real `tutor start` in tmux at 80×24: home appears, 1.6 opens from the keyboard, q exits
cleanly."""

from __future__ import annotations

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


class Pane(TmuxPane):
    """The pane of `tutor start`, and the exit status its shell writes down."""

    def exit_status(self, status_file: Path) -> int | None:
        """The app's exit status once it has ended, else None.

        The shell writes it: tmux 3.3a can leave the ended app unreaped for a long while, and then
        its own pane_dead_status stays empty."""
        text = status_file.read_text().strip() if status_file.exists() else ""
        return int(text) if text else None


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    socket = socket_name("tutor-e2e")
    pane = Pane(socket, "e2e")
    env = (
        f"TUTOR_DATA_DIR={tmp_path / 'data'} TUTOR_CONFIG={tmp_path / 'none.toml'} "
        "TUTOR_THEME=ansi-dark"
    )
    # pytest-textual-snapshot exports COLUMNS/LINES, which Rich would believe over the pane's size.
    command = (
        f"env -u COLUMNS -u LINES {env} {sys.executable} -m tutor start; echo $? > "
        f"{tmp_path / 'status'}"
    )
    pane.launch(command)
    try:
        yield pane
    finally:
        pane.tmux("kill-server")


def test_start_open_svd_and_quit(pane: Pane, tmp_path: Path) -> None:
    home = pane.wait_for("Linear Algebra for ML", "1.1", "sections read")
    assert "Traceback" not in home
    pane.keys("C-p")
    pane.wait_for("Search for commands")
    pane.type("Go to 1.6")
    pane.wait_for("Go to 1.6 Singular")
    pane.keys("Enter")
    reader = pane.wait_for("Singular Value Decomposition", "UΣVᵀ", "section 6 of 8", "n Next")
    assert "Traceback" not in reader
    pane.keys("q")
    deadline = time.monotonic() + DEADLINE_S
    while (status := pane.exit_status(tmp_path / "status")) is None:
        assert time.monotonic() < deadline, pane.text()
        time.sleep(0.05)
    assert status == 0
    assert "Traceback" not in pane.text()
