"""A warm checker worker in a subprocess: sympy loads there, every check runs under a hard timeout,
and a hung check is killed and the worker respawned, so the app never freezes on an answer.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import threading
import time
from typing import Any

from checkers.verdict import Verdict

STARTUP_TIMEOUT_S = 30.0
"""How long a cold worker may take to import sympy (first run without bytecode can take seconds)."""


class CheckerPool:
    """One warm worker process. `start()` early (after first paint); `check()` from a worker
    thread."""

    def __init__(self, *, python: str | None = None) -> None:
        self._python = python or sys.executable
        self._process: subprocess.Popen[str] | None = None
        self._ready = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Spawn the worker if none is running; returns at once (sympy loads in the child)."""
        with self._lock:
            self._spawn_locked()

    def _spawn_locked(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(
            [self._python, "-m", "checkers.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env=env,
            start_new_session=True,
        )
        self._ready = False

    @property
    def alive(self) -> bool:
        """Whether a worker process is running."""
        return self._process is not None and self._process.poll() is None

    def check(self, requests: list[dict[str, Any]], *, timeout: float = 3.0) -> list[Verdict]:
        """Check parts in the worker. A check past `timeout` seconds (after the worker is ready) is
        killed, the worker respawned, and every part reported as not checked."""
        with self._lock:
            self._spawn_locked()
            process = self._process
            assert process is not None and process.stdin is not None and process.stdout is not None
            try:
                if not self._ready:
                    line = _read_line(process, STARTUP_TIMEOUT_S)
                    if line != "ready":
                        raise OSError("the checker worker did not start")
                    self._ready = True
                process.stdin.write(json.dumps(requests) + "\n")
                process.stdin.flush()
                reply = _read_line(process, timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                self._kill_locked()
                self._spawn_locked()
                message = (
                    "Checking this answer took too long; write it more simply."
                    if isinstance(exc, TimeoutError)
                    else f"The checker stopped: {exc}."
                )
                return [Verdict(False, message, unreadable=True) for _ in requests]
        verdicts = [Verdict.from_dict(item) for item in json.loads(reply)]
        if len(verdicts) != len(requests):
            return [verdicts[0]] * len(requests)
        return verdicts

    def close(self) -> None:
        """Stop the worker."""
        with self._lock:
            self._kill_locked()

    def _kill_locked(self) -> None:
        process, self._process = self._process, None
        self._ready = False
        if process is None:
            return
        try:
            os.killpg(process.pid, 9)
        except (ProcessLookupError, PermissionError):
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """One line from the worker within `timeout` seconds; TimeoutError otherwise."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if selector.select(remaining):
                line = process.stdout.readline()
                if not line:
                    raise OSError("the checker worker exited")
                return line.rstrip("\n")
