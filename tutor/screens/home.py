"""Home: the chapter outline with read marks, mastery, exercise states, and what is due."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tutor.screens.base import TutorScreen
from tutor.session import Marks, Session
from tutor.widgets.navlist import NavList
from tutor.widgets.outline import (
    DUE,
    LEARNED,
    LEARNING,
    NEW,
    SUSPENDED,
    item_row,
    section_row,
    state_legend,
)

MAX_ROW_WIDTH = 76


def item_state(marks: Marks, item_id: str) -> str | None:
    """`new`, `learning`, `due`, `learned` or `suspended`; None before the store is open."""
    if not marks.known:
        return None
    if item_id in marks.suspended:  # never due, whatever its recall: `tutor due` leaves it out
        return SUSPENDED
    if item_id in marks.due:
        return DUE
    if item_id in marks.learning:
        return LEARNING
    return LEARNED if item_id in marks.recall else NEW


class Outline(NavList):
    """The chapter outline; enter opens the highlighted row."""

    BINDINGS = [Binding("enter", "select", "Open", id="outline-open")]


class QuietFooter(Footer):
    """A Footer rebuilt only when the keys it shows change.

    Textual announces a binding change on every focus move and terminal focus event; right after
    first paint that is three in a row, and each full rebuild of the footer blocks the UI for
    15-40 ms. The keys are compared first, so the learner's first key press is not kept waiting."""

    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        keys = tuple(
            (binding.key, binding.description, enabled, tooltip)
            for _node, binding, enabled, tooltip in screen.active_bindings.values()
        )
        if keys == self._shown:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = keys  # only once a rebuild is really scheduled
        super().bindings_changed(screen)


class HomeScreen(TutorScreen[None]):
    """The chapter outline; enter opens the highlighted section, exercise or lab."""

    BINDINGS = [
        Binding("r", "app.review", "Review", id="home-review", tooltip="Review what is due"),
        Binding("s", "app.stats", "Stats", id="home-stats", tooltip="Progress and retention"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._shown: tuple[int, Marks] | None = None
        """The row width and marks the outline was last built from: rebuilt only on a change."""

    def compose(self) -> ComposeResult:
        chapters = self.session.course.chapters
        first = chapters[0]
        title = Text(f"Chapter {first.number} · {first.meta.title}", style="bold")
        yield Static(title, id="home-title")
        yield Static(first.meta.subtitle, id="home-subtitle")
        # Built here, once, so the first frame has the whole outline without a second layout.
        marks = self._marks()
        width = self._row_width()
        self._shown = (width, marks)
        yield Static(self._status(marks, width), id="home-status")
        yield Outline(*self._options(width, marks), id="outline")
        yield QuietFooter()

    def on_mount(self) -> None:
        outline = self.query_one("#outline", Outline)
        outline.highlighted = 0
        outline.focus()

    def on_screen_resume(self) -> None:
        self.refresh_outline()

    def on_resize(self) -> None:
        self.refresh_outline()

    def _row_width(self) -> int:
        # Padding and the scrollbar take four cells; rows fill the rest, up to a readable measure.
        return min(self.app.size.width - 4, MAX_ROW_WIDTH)

    def _marks(self) -> Marks:
        return self.session.marks()

    def refresh_outline(self) -> None:
        """Rebuild the outline and the status line from the store, keeping the highlight.

        Nothing is rebuilt when neither the width nor the marks changed (resizes and resumes
        before the store opens are frequent and would each re-render every row)."""
        shown = (self._row_width(), self._marks())
        if shown == self._shown:
            return
        self._shown = shown
        width, marks = shown
        outline = self.query_one("#outline", Outline)
        highlighted = outline.highlighted
        outline.set_options(self._options(width, marks))
        outline.highlighted = highlighted if highlighted is not None else 0
        self.query_one("#home-status", Static).update(self._status(marks, width))

    def _options(self, width: int, marks: Marks) -> list[Option]:
        options: list[Option] = []
        chapters = self.session.course.chapters
        for chapter in chapters:
            if len(chapters) > 1:
                title = f"Chapter {chapter.number} · {chapter.meta.title}"
                heading = Text(title, style="underline")
                options.append(Option(heading, id=f"chapter-{chapter.number}", disabled=True))
            for section in chapter.sections:
                items = chapter.items_in(section.id)
                mastery = marks.mastery([item.id for item in items])
                row = section_row(section, section.id in marks.read, width, mastery)
                options.append(Option(row, id=section.id))
                for item in items:
                    options.append(
                        Option(item_row(item, width, item_state(marks, item.id)), id=item.id)
                    )
        return options

    def _status(self, marks: Marks, width: int) -> Text:
        """`3/8 sections read · 2 due for review · ○ new ◐ learning ◆ due ● learned` (and
        `⊘ suspended` when an item is), in short words (`3/8 read · 2 due · …`) where the legend
        would not fit otherwise."""
        sections = self.session.course.sections()
        done = sum(1 for section in sections if section.id in marks.read)
        if not marks.known:
            return Text(f"{done}/{len(sections)} sections read")
        due = len(marks.due)
        legend = state_legend(suspended=bool(marks.suspended))
        # The status line spans the rows plus the outline's padding and scrollbar.
        room = width + 2
        for read_words, due_words in ((" sections read", " due for review"), (" read", " due")):
            status = Text(f"{done}/{len(sections)}{read_words} · ")
            status.append(f"{due}{due_words}", style="bold" if due else "")
            if status.cell_len + 3 + legend.cell_len <= room:
                break
        if status.cell_len + 3 + legend.cell_len <= room:
            status.append(" · ")
            status.append_text(legend)
        return status

    @on(OptionList.OptionSelected, "#outline")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.session.open_item(event.option.id)
