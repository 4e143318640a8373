"""Home: the chapter outline with read marks, exercises and labs, and what is due."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tutor.widgets.navlist import NavList
from tutor.widgets.outline import item_row, section_row

if TYPE_CHECKING:
    from tutor.app import TutorApp


MAX_ROW_WIDTH = 76


class Outline(NavList):
    """The chapter outline; enter opens the highlighted row."""

    BINDINGS = [Binding("enter", "select", "Open", id="outline-open")]


class HomeScreen(Screen[None]):
    """The chapter outline; enter opens the highlighted section, exercise or lab."""

    BINDINGS = [
        Binding("r", "app.review", "Review", id="home-review", tooltip="Review what is due"),
        Binding("s", "app.stats", "Stats", id="home-stats", tooltip="Progress and retention"),
    ]

    @property
    def tutor(self) -> TutorApp:
        """The app, typed."""
        return cast("TutorApp", self.app)

    def compose(self) -> ComposeResult:
        chapters = self.tutor.course.chapters
        first = chapters[0]
        title = Text(f"Chapter {first.number} · {first.meta.title}", style="bold")
        yield Static(title, id="home-title")
        yield Static(first.meta.subtitle, id="home-subtitle")
        yield Static("", id="home-status")
        yield Outline(id="outline")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_outline()
        self.query_one("#outline", Outline).focus()

    def on_screen_resume(self) -> None:
        self.refresh_outline()

    def on_resize(self) -> None:
        self.refresh_outline()

    def refresh_outline(self) -> None:
        """Rebuild the outline and the status line from the store, keeping the highlight."""
        outline = self.query_one("#outline", Outline)
        highlighted = outline.highlighted
        read = self.tutor.sections_read()
        # Padding and the scrollbar take four cells; rows fill the rest, up to a readable measure.
        width = min(self.app.size.width - 4, MAX_ROW_WIDTH)
        options: list[Option] = []
        chapters = self.tutor.course.chapters
        for chapter in chapters:
            if len(chapters) > 1:
                heading = Text(f"Chapter {chapter.number} · {chapter.meta.title}", style="underline")
                options.append(Option(heading, id=f"chapter-{chapter.number}", disabled=True))
            for section in chapter.sections:
                options.append(Option(section_row(section, section.id in read), id=section.id))
                for item in chapter.items_in(section.id):
                    options.append(Option(item_row(item, width), id=item.id))
        outline.set_options(options)
        outline.highlighted = highlighted if highlighted is not None else 0
        self.query_one("#home-status", Static).update(self._status(read))

    def _status(self, read: set[str]) -> Text:
        sections = self.tutor.course.sections()
        done = sum(1 for section in sections if section.id in read)
        status = Text(f"{done}/{len(sections)} sections read")
        due = self.tutor.due_count()
        if due is not None:
            status.append(" · ")
            status.append(f"{due} due for review", style="bold" if due else "")
        return status

    @on(OptionList.OptionSelected, "#outline")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.tutor.open_item(event.option.id)
