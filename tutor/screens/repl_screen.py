"""The reader's REPL: one kernel for the session, kept between visits so variables persist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from tutor.screens.base import TutorScreen
from tutor.session import Session
from tutor.widgets.repl import Repl

if TYPE_CHECKING:
    from tutor.practice.kernels import Kernel


class ReplScreen(TutorScreen[None]):
    """A Python REPL on the sandboxed kernel; code examples from the reader arrive here."""

    BINDINGS = [Binding("escape", "back", "Back", key_display="esc", id="repl-screen-back")]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.pending: list[str] = []
        """Examples sent before the screen's REPL was built; it gets them when it is."""

    def compose(self) -> ComposeResult:
        title = Text("Python REPL · ctrl+r runs the box · esc goes back to reading", style="bold")
        yield Static(title, id="repl-title")
        yield Repl(self._new_kernel, id="repl")
        yield Footer()

    def on_screen_resume(self) -> None:
        # Otherwise the output log (first in the focus order) takes the keys and typing goes
        # nowhere.
        self.query_one("#repl-input").focus()

    def _new_kernel(self) -> Kernel:
        return self.session.new_kernel()

    def on_mount(self) -> None:
        repl = self.query_one(Repl)
        for source in self.pending:
            repl.send(source)
        self.pending.clear()

    def run_example(self, source: str) -> None:
        """Run `source` as a cell, after any cell running or waiting (the REPL queues it)."""
        repls = self.query(Repl)
        if repls:
            repls.first().send(source)
        else:
            self.pending.append(source)

    def action_back(self) -> None:
        """Back to the reader; the kernel keeps its variables."""
        self.dismiss()
