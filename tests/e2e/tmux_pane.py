"""A tmux pane on a private server for the end-to-end tests: launch the app, send keys, read the
screen, wait for text. Each test file adds what its own story needs."""

from __future__ import annotations

import os
import secrets
import subprocess
import time

import pytest

DEADLINE_S = 30.0
"""How long one screen may take to appear (the checker's first sympy import included)."""


def socket_name(prefix: str) -> str:
    """A tmux server name no other test uses: one reused by the next test of the same worker could
    meet the last test's server still shutting down, which takes the new session with it."""
    return f"{prefix}-{os.getpid()}-{secrets.token_hex(4)}"


class Key(str):
    """A tmux key name (`Enter`, `Tab`, `C-s`, `F4`) in a burst, as opposed to text typed as is."""


class TmuxPane:
    """One session `session` on the tmux server `socket`, driven with send-keys, read with
    capture-pane."""

    def __init__(self, socket: str, session: str) -> None:
        self.socket = socket
        self.session = session

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=10,
        )
        self.last_error = done.stderr.strip()
        """What tmux said on standard error the last time (why a pane could not be read)."""
        return done.stdout

    def launch(self, command: str, size: tuple[int, int] = (80, 24)) -> None:
        """Start a fresh server running `command` at `size`; the pane stays after the command ends,
        so the last screen can still be read."""
        self.tmux(
            "start-server",
            ";",
            "set",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            command,
        )
        error = self.last_error
        if self.tmux("has-session", "-t", self.session) == "" and self.last_error:
            raise AssertionError(f"tmux could not start the pane: {error or self.last_error}")

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def styled(self) -> str:
        """The screen with its colours, where a focus change shows as a border changing colour."""
        return self.tmux("capture-pane", "-p", "-e", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def burst(self, *keys: str) -> None:
        """Text and `Key`s written to the terminal in one go, as a fast typist or a laggy SSH link
        delivers them: one tmux command list, so the app reads them all before it draws again."""
        commands: list[str] = []
        for key in keys:
            if commands:
                commands.append(";")
            if isinstance(key, Key):
                commands += ["send-keys", "-t", self.session, key]
            else:
                commands += ["send-keys", "-t", self.session, "-l", "--", key]
        self.tmux(*commands)

    def wait_for(self, *needles: str, deadline: float = DEADLINE_S) -> str:
        """Poll until every needle is on screen; fail at once on a traceback, or showing the screen
        when the deadline passes."""
        until = time.monotonic() + deadline
        while True:
            screen = self.text()
            assert "Traceback" not in screen, screen
            if all(needle in screen for needle in needles):
                return screen
            if time.monotonic() > until:
                panes = self.tmux(
                    "list-panes",
                    "-a",
                    "-F",
                    "#{session_name} dead=#{pane_dead} #{pane_dead_status}",
                )
                said = self.last_error or "nothing on standard error"
                pytest.fail(
                    f"never saw {needles!r}; tmux panes: {panes!r} (tmux: {said}); "
                    f"the screen was:\n{screen}"
                )
            time.sleep(0.05)
