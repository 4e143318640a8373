"""The real `tutor start` in tmux at 80×24: home appears, 1.6 opens from the keyboard, q exits cleanly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]

DEADLINE_S = 30.0


class Pane:
    """One tmux session on a private server, read with capture-pane."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, *needles: str) -> str:
        """Poll until every needle is on screen; fail with the screen if the deadline passes."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            screen = self.text()
            if all(needle in screen for needle in needles):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"never saw {needles!r}; the screen was:\n{screen}")
            time.sleep(0.05)

    def exit_status(self, status_file: Path) -> int | None:
        """The app's exit status once it has ended, else None.

        The shell writes it: tmux 3.3a can leave the ended app unreaped for a long while, and then
        its own pane_dead_status stays empty."""
        text = status_file.read_text().strip() if status_file.exists() else ""
        return int(text) if text else None


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    socket = f"tutor-e2e-{os.getpid()}"
    pane = Pane(socket)
    env = f"TUTOR_DATA_DIR={tmp_path / 'data'} TUTOR_CONFIG={tmp_path / 'none.toml'} TUTOR_THEME=ansi-dark"
    # pytest-textual-snapshot exports COLUMNS/LINES, which Rich would believe over the pane's size.
    command = f"env -u COLUMNS -u LINES {env} {sys.executable} -m tutor start; echo $? > {tmp_path / 'status'}"
    # remain-on-exit keeps the pane after the app quits, so the last screen can still be read.
    pane.tmux("start-server", ";", "set", "-g", "remain-on-exit", "on", ";",
              "new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", command)
    try:
        yield pane
    finally:
        pane.tmux("kill-server")


def test_start_open_svd_and_quit(pane: Pane, tmp_path: Path) -> None:
    home = pane.wait_for("Linear Algebra for ML", "1.1", "sections read")
    assert "Traceback" not in home
    pane.tmux("send-keys", "-t", "e2e", "C-p")
    pane.wait_for("Search for commands")
    pane.tmux("send-keys", "-t", "e2e", "-l", "Go to 1.6")
    pane.wait_for("Go to 1.6 Singular")
    pane.tmux("send-keys", "-t", "e2e", "Enter")
    reader = pane.wait_for("Singular Value Decomposition", "UΣVᵀ", "section 6 of 8", "n Next")
    assert "Traceback" not in reader
    pane.tmux("send-keys", "-t", "e2e", "q")
    deadline = time.monotonic() + DEADLINE_S
    while (status := pane.exit_status(tmp_path / "status")) is None:
        assert time.monotonic() < deadline, pane.text()
        time.sleep(0.05)
    assert status == 0
    assert "Traceback" not in pane.text()
