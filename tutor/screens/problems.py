"""Screens that stand in for the app when it cannot work: broken data, a terminal too small."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static


class ProblemScreen(Screen[None]):
    """Lists each problem (`file:line: what`) so it can be fixed; q leaves with status 1."""

    BINDINGS = [Binding("q", "leave", "Quit", id="quit-problems")]

    def __init__(self, title: str, problems: list[str]) -> None:
        super().__init__(classes="problems")
        self.title_text = title
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text, style="bold"), id="problem-title")
        with VerticalScroll(id="problem-list"):
            for problem in self.problems:
                yield Static(Text(f"✗ {problem}"), classes="problem")
        yield Static("Fix these, then start the tutor again. Press q to quit.", id="problem-hint")
        yield Footer()

    def action_leave(self) -> None:
        """Quit with a failure status: the tutor could not start."""
        self.app.exit(return_code=1)


class TooSmallScreen(ModalScreen[None]):
    """Covers the app while the terminal is smaller than the layout needs; goes on resize."""

    BINDINGS = [Binding("q", "app.quit", "Quit", id="quit-too-small")]

    def __init__(self, min_width: int, min_height: int) -> None:
        super().__init__(classes="too-small")
        self.min_width = min_width
        self.min_height = min_height

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(self._message(*self.app.size), id="too-small-message")

    def _message(self, width: int, height: int) -> str:
        return (
            f"The tutor needs at least {self.min_width}×{self.min_height}; "
            f"this terminal is {width}×{height}. Enlarge it or press q."
        )

    def show_size(self, width: int, height: int) -> None:
        """Update the message after another resize that is still too small."""
        self.query_one("#too-small-message", Static).update(self._message(width, height))
