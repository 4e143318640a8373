"""A REPL pane on the sandboxed kernel: multi-line input with history, run, interrupt, restart."""

from __future__ import annotations

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
from tutor.widgets.themed import theme_style

if TYPE_CHECKING:
    from tutor.practice.kernels import CellResult, Kernel


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
        self.running = False

    def compose(self) -> ComposeResult:
        yield RichLog(wrap=True, markup=False, highlight=False, id="repl-log")
        yield ReplInput(language="python", id="repl-input", soft_wrap=True, show_line_numbers=False)

    def on_mount(self) -> None:
        self._start_kernel()

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
        if message.problem:
            self.log_widget.write(
                Text(
                    f"The kernel did not start: {message.problem}",
                    style=theme_style(self.app, "error", bold=True),
                )
            )
        elif self._kernel is not None:
            self.log_widget.write(
                Text(f"Kernel ready ({self._kernel.sandbox_level.name} sandbox).", style="dim")
            )

    def send(self, code: str) -> None:
        """Run `code` as a cell, as if typed (the reader's "run this example")."""
        if self.running or not code.strip():
            return
        self._cells += 1
        self.history.append(code)
        self._history_index = len(self.history)
        self.running = True
        self.log_widget.write(
            Text(f"In [{self._cells}]:", style="bold") + Text("\n" + code.rstrip())
        )
        self._run_cell(self._cells, code)

    def action_run(self) -> None:
        """Run what is in the input box."""
        box = self.query_one(ReplInput)
        code = box.text
        if not code.strip() or self.running:
            return
        box.clear()
        self.send(code)

    def action_interrupt(self) -> None:
        """Interrupt the running cell (restart follows if it ignores the interrupt)."""
        if self._kernel is not None and self.running:
            self._kernel.interrupt()
            self.log_widget.write(Text("Interrupting...", style=theme_style(self.app, "warning")))

    def action_restart(self) -> None:
        """Throw away the kernel and its variables; start a fresh one."""
        if self._kernel is not None:
            if self.running:
                self._kernel.interrupt()
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
        self.running = False
        log = self.log_widget
        result = message.result
        if result.stdout:
            log.write(Text(result.stdout.rstrip("\n")))
        if result.stderr:
            log.write(Text(result.stderr.rstrip("\n"), style=theme_style(self.app, "warning")))
        if result.error:
            log.write(Text(result.error.rstrip("\n"), style=theme_style(self.app, "error")))
        if result.value is not None:
            log.write(
                Text(f"Out[{message.number}]: ", style=theme_style(self.app, "success", bold=True))
                + Text(result.value)
            )
        if result.status not in ("ok", "error"):
            log.write(Text(f"[{result.status}, {result.duration:.1f} s]", style="dim"))

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
