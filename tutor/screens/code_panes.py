"""The panes under a code item's editor and what the notes pane shows: hints and the reference
solution."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.content import Content


class NotesPane(VerticalScroll):
    """Intro, hints and the reference solution; the solution is shown full screen."""

    ALLOW_MAXIMIZE = True


class TestsPane(VerticalScroll):
    """The test table and the highlighted test's message; F3 shows it full screen."""

    ALLOW_MAXIMIZE = True
    can_focus = False  # shift+tab from the table goes straight back to the editor


def hints_text(hints: list[str]) -> Content:
    """The hints shown so far, numbered."""
    # A theme variable, resolved when painted: the label takes each theme's colour.
    return Content.assemble(
        *(
            piece
            for number, hint in enumerate(hints, start=1)
            for piece in ((f"Hint {number}: ", "bold $text-warning"), hint + "\n")
        )
    )


def solution_view(solution: str) -> Group:
    """The reference solution, highlighted, under a line that says how to go back."""
    from rich.syntax import Syntax

    header = Text("Reference solution  ", style="bold") + Text(
        "(escape: back to your editor)", style="dim"
    )
    code = Syntax(
        solution or "(none)",
        "python",
        theme="ansi_dark",
        background_color="default",
        word_wrap=True,
    )
    return Group(header, code)
