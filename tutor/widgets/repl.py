"""A REPL pane on the sandboxed kernel: multi-line input with history, run, interrupt, restart.

Cells sent while one runs (or while the kernel starts) wait in a queue and run in order; the log's
border says how many wait, and an interrupt or a restart says which waiting cells it dropped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import RichLog, TextArea

from tutor.widgets.keys_in_order import own_binding_now
from tutor.widgets.themed import Role, theme_style

if TYPE_CHECKING:
    from tutor.practice.kernels import CellResult, Kernel


ROLES: dict[str, Role] = {"error": "error", "warning": "warning", "success": "success"}
"""Words in a log piece's style that name a theme role rather than a Rich attribute."""

Piece = tuple[str, str]
"""Text and its style: Rich attributes (`bold`, `dim`) and at most one role (`error`)."""


class ReplInput(TextArea):
    """The input box: up on the first line and down on the last line walk the history."""

    class HistoryStep(Message):
        """The learner asked for an older (-1) or newer (+1) history entry."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    async def _on_key(self, event: events.Key) -> None:
        row = self.cursor_location[0]
        if event.key == "up" and row == 0:
            event.prevent_default()
            event.stop()
            self.post_message(self.HistoryStep(-1))
            return
        if event.key == "down" and row == self.document.line_count - 1:
            event.prevent_default()
            event.stop()
            self.post_message(self.HistoryStep(+1))
            return
        if await own_binding_now(self, event):  # backspace, ctrl+u…: in order with typed text
            return
        await super()._on_key(event)


class Repl(Widget):
    """Output log above, input below. Cells run in a thread worker that only posts messages."""

    DEFAULT_CSS = """
    Repl { layout: vertical; height: 1fr; }
    Repl > RichLog { height: 1fr; min-height: 3; border: round $primary-darken-2; }
    Repl > ReplInput { height: auto; min-height: 3; max-height: 8; border: round $accent; }
    """

    BINDINGS = [
        Binding("ctrl+r", "run", "Run", id="repl-run"),
        Binding("f5", "run", "Run", show=False, id="repl-run-f5"),
        Binding("f2", "interrupt", "Interrupt", id="repl-interrupt"),
        Binding("f8", "restart", "Restart kernel", id="repl-restart"),
    ]

    class CellFinished(Message):
        """A cell finished (or failed, timed out, crashed); the widget prints it."""

        def __init__(self, number: int, result: CellResult) -> None:
            super().__init__()
            self.number = number
            self.result = result

    class KernelReady(Message):
        """The kernel started or restarted; `problem` is set when it could not."""

        def __init__(self, problem: str = "") -> None:
            super().__init__()
            self.problem = problem

    def __init__(self, kernel_factory: Callable[[], Kernel], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._factory = kernel_factory
        self._kernel: Kernel | None = None
        self.history: list[str] = []
        self._history_index = 0
        self._cells = 0
        self._executing = False
        self._starting = True
        """The kernel is (re)starting: cells sent now wait for it."""
        self.queue: deque[str] = deque()
        """Cells sent while another ran or the kernel started, oldest first."""
        self._entries: list[tuple[Piece, ...]] = []
        """Everything written to the log, kept to write it again in another theme's colours."""

    @property
    def running(self) -> bool:
        """A cell is running or waiting to run."""
        return self._executing or bool(self.queue)

    def compose(self) -> ComposeResult:
        yield RichLog(wrap=True, markup=False, highlight=False, id="repl-log")
        yield ReplInput(language="python", id="repl-input", soft_wrap=True, show_line_numbers=False)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._start_kernel()

    def _write(self, *pieces: Piece) -> None:
        """Write a line made of `pieces` to the log, in the current theme's colours."""
        self._entries.append(pieces)
        self.log_widget.write(self._text(pieces))

    def _text(self, pieces: tuple[Piece, ...]) -> Text:
        text = Text()
        for words, style in pieces:
            roles = [ROLES[word] for word in style.split() if word in ROLES]
            attributes = " ".join(word for word in style.split() if word not in ROLES)
            if roles:
                text.append(words, style=theme_style(self.app, roles[0], bold="bold" in attributes))
            else:
                text.append(words, style=attributes)
        return text

    def _theme_changed(self, _theme: object) -> None:
        # Lines carry the colours of the theme they were written in: write them all again.
        log = self.log_widget
        log.clear()
        for pieces in self._entries:
            log.write(self._text(pieces))

    @property
    def log_widget(self) -> RichLog:
        """Where output is written."""
        return self.query_one(RichLog)

    @work(thread=True, exclusive=True, group="repl-kernel", exit_on_error=False)
    def _start_kernel(self) -> None:
        from tutor.practice.kernels import KernelError

        try:
            kernel = self._factory()
            kernel.start()
        except KernelError as exc:
            self.post_message(self.KernelReady(str(exc)))
            return
        self._kernel = kernel
        self.post_message(self.KernelReady())

    def on_repl_kernel_ready(self, message: KernelReady) -> None:
        self._starting = False
        if message.problem:
            self._write((f"The kernel did not start: {message.problem}", "bold error"))
            self._drop_queue("the kernel did not start")
        elif self._kernel is not None:
            self._write((f"Kernel ready ({self._kernel.sandbox_level.name} sandbox).", "dim"))
        self._run_next()

    def send(self, code: str) -> None:
        """Run `code` as a cell, as if typed (the reader's "run this example"): now, or after the
        cells before it when one is running or the kernel is starting."""
        if not code.strip():
            return
        self.history.append(code)
        self._history_index = len(self.history)
        self.queue.append(code)
        if self._executing or self._starting:
            lines = code.strip().splitlines()
            first = lines[0] if len(lines) == 1 else lines[0] + " …"
            waiting = len(self.queue)
            self._write((f"Queued ({waiting} waiting): ", "bold"), (first, "dim"))
        self._run_next()

    def _run_next(self) -> None:
        """Start the oldest waiting cell unless one runs or the kernel is starting."""
        if not self._executing and not self._starting and self.queue:
            code = self.queue.popleft()
            self._cells += 1
            self._executing = True
            self._write((f"In [{self._cells}]:", "bold"), ("\n" + code.rstrip(), ""))
            self._run_cell(self._cells, code)
        self._show_state()

    def _show_state(self) -> None:
        """Say on the log's border what runs and how many cells wait."""
        parts = []
        if self._starting:
            parts.append("kernel starting")
        elif self._executing:
            parts.append(f"running In [{self._cells}]")
        if self.queue:
            parts.append(f"{len(self.queue)} queued")
        self.log_widget.border_subtitle = " · ".join(parts)

    def _drop_queue(self, why: str) -> None:
        """Forget the waiting cells, saying how many were not run and why."""
        if self.queue:
            count = len(self.queue)
            cells = "cell" if count == 1 else "cells"
            self._write((f"{count} queued {cells} not run: {why}.", "warning"))
            self.queue.clear()
        self._show_state()

    def action_run(self) -> None:
        """Run what is in the input box (after the cells already waiting, if any)."""
        box = self.query_one(ReplInput)
        code = box.text
        if not code.strip():
            return
        box.clear()
        self.send(code)

    def action_interrupt(self) -> None:
        """Interrupt the running cell (restart follows if it ignores the interrupt); the cells
        waiting behind it are dropped, as a learner stopping the work expects."""
        if self._kernel is not None and self._executing:
            self._kernel.interrupt()
            self._write(("Interrupting...", "warning"))
        self._drop_queue("interrupted")

    def action_restart(self) -> None:
        """Throw away the kernel and its variables; start a fresh one."""
        if self._kernel is not None:
            if self._executing:
                self._kernel.interrupt()
            self._drop_queue("the kernel restarted")
            self._starting = True
            self._show_state()
            self._restart_kernel()

    @work(thread=True, group="repl-kernel", exit_on_error=False)
    def _restart_kernel(self) -> None:
        from tutor.practice.kernels import KernelError

        assert self._kernel is not None
        try:
            self._kernel.restart()
        except KernelError as exc:
            self.post_message(self.KernelReady(str(exc)))
            return
        self.post_message(self.KernelReady())

    @work(thread=True, group="repl-cells", exit_on_error=False)
    def _run_cell(self, number: int, code: str) -> None:
        from tutor.practice.kernels import CellResult

        try:
            if self._kernel is None:
                self._kernel = self._factory()
            result = self._kernel.execute(code)
        except Exception as exc:  # noqa: BLE001 - a start failure must reach the learner, not kill the app
            result = CellResult(status="crashed", error=f"The kernel could not run the cell: {exc}")
        self.post_message(self.CellFinished(number, result))

    def on_repl_cell_finished(self, message: CellFinished) -> None:
        self._executing = False
        result = message.result
        if result.stdout:
            self._write((result.stdout.rstrip("\n"), ""))
        if result.stderr:
            self._write((result.stderr.rstrip("\n"), "warning"))
        if result.error:
            self._write((result.error.rstrip("\n"), "error"))
        if result.value is not None:
            self._write((f"Out[{message.number}]: ", "bold success"), (result.value, ""))
        if result.status not in ("ok", "error"):
            self._write((f"[{result.status}, {result.duration:.1f} s]", "dim"))
        self._run_next()

    def on_repl_input_history_step(self, message: ReplInput.HistoryStep) -> None:
        if not self.history:
            return
        self._history_index = max(0, min(len(self.history), self._history_index + message.step))
        box = self.query_one(ReplInput)
        text = self.history[self._history_index] if self._history_index < len(self.history) else ""
        box.load_text(text)

    def on_unmount(self) -> None:
        if self._kernel is not None:
            self._kernel.close()
