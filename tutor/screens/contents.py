"""The chapter's contents over the page (`t`), and a search of the whole chapter's text (`/`)."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from tutor.course.loader import Course
from tutor.search import search
from tutor.widgets.blocks import toc_label
from tutor.widgets.navlist import NavList

Place = tuple[str, int | None]
"""A section and a block in it (None: the top of the section)."""


def place_id(section_id: str, block: int | None) -> str:
    """An option ID naming a place."""
    return f"at-{section_id.replace('.', '_')}-{'top' if block is None else block}"


def parse_place(option_id: str) -> Place:
    """The place an option ID names."""
    _, section, block = option_id.split("-")
    return section.replace("_", "."), None if block == "top" else int(block)


class ContentsScreen(ModalScreen[Place | None]):
    """Every section of the chapter and its headings; typing searches the text of them all."""

    DEFAULT_CSS = """
    ContentsScreen { align: center middle; }
    ContentsScreen #contents-frame { width: 90%; max-width: 100; height: 90%;
                                     border: round $accent; background: $surface; }
    ContentsScreen #contents-title { padding: 0 1; text-style: bold; }
    ContentsScreen #contents-search { margin: 0 1; border: round $primary 40%; }
    ContentsScreen #contents-search:focus { border: round $accent; }
    ContentsScreen #contents-list { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="contents-close"),
        # The search box keeps the cursor: arrows move through the list, enter opens the entry.
        Binding("down", "move(1)", "Next", show=False, id="contents-down"),
        Binding("up", "move(-1)", "Previous", show=False, id="contents-up"),
    ]

    def __init__(self, course: Course, section_id: str, *, searching: bool = False) -> None:
        super().__init__()
        self.course = course
        self.section_id = section_id
        self.searching = searching

    def compose(self) -> ComposeResult:
        with Vertical(id="contents-frame"):
            yield Static("Contents of the chapter · type to search its text", id="contents-title")
            yield Input(
                placeholder="search the whole chapter (e.g. LoRA, weight decay)",
                id="contents-search",
                # Keys typed on the list land here and add to the search, never replace it.
                select_on_focus=False,
            )
            yield NavList(id="contents-list")
        yield Footer()

    def on_mount(self) -> None:
        self._show(self._contents())
        # Typing is searching, from the first key: the box has the cursor whichever key opened it.
        self.set_focus(self.query_one("#contents-search", Input))
        if not self.searching:
            listing = self.query_one("#contents-list", NavList)
            current = place_id(self.section_id, None)
            listing.highlighted = next(
                (
                    i
                    for i in range(listing.option_count)
                    if listing.get_option_at_index(i).id == current
                ),
                0,
            )

    def _contents(self) -> list[Option]:
        options: list[Option] = []
        for section in self.course.sections():
            title = Text(f"{section.id}  {section.title}", style="bold")
            options.append(Option(title, id=place_id(section.id, None)))
            for index, block in enumerate(section.blocks):
                label = toc_label(block)
                if label:
                    options.append(Option(Text(f"    {label}"), id=place_id(section.id, index)))
        return options

    def _show(self, options: list[Option]) -> None:
        listing = self.query_one("#contents-list", NavList)
        listing.set_options(options)
        if options:
            listing.highlighted = 0

    @on(Input.Changed, "#contents-search")
    def _search(self, event: Input.Changed) -> None:
        query = event.value.strip()
        if not query:
            self._show(self._contents())
            return
        options = []
        for match in search(self.course, query):
            line = Text(f"{match.section_id}  {match.section_title}", style="bold")
            line.append(f"\n    {match.snippet}", style="not bold")
            options.append(Option(line, id=place_id(match.section_id, match.block)))
        if not options:
            options.append(
                Option(Text(f"Nothing in this chapter says {query!r}.", style="dim"), disabled=True)
            )
        self._show(options)

    @on(Input.Submitted, "#contents-search")
    def _first(self) -> None:
        listing = self.query_one("#contents-list", NavList)
        if listing.option_count and listing.highlighted is not None:
            option = listing.get_option_at_index(listing.highlighted)
            if option.id:
                self.dismiss(parse_place(option.id))

    @on(OptionList.OptionSelected, "#contents-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(parse_place(event.option.id))

    def on_key(self, event: events.Key) -> None:
        """A printable key typed on the list (reached by mouse or tab) is search text: it goes to
        the box, focus following; arrows, enter and escape still act on the list."""
        # Only keys the box did not take get here: those typed with the list focused, including
        # the rest of a burst already on its way to the list when the first key moved the focus.
        if not event.is_printable or not event.character:
            return
        # Stopped here, before the list's own j/k/g/G bindings see it.
        event.stop()
        event.prevent_default()
        box = self.query_one("#contents-search", Input)
        self.set_focus(box)
        box.insert_text_at_cursor(event.character)

    def action_move(self, step: int) -> None:
        """Up and down in the search box move through the list (the box keeps the cursor)."""
        listing = self.query_one("#contents-list", NavList)
        if self.focused is listing:
            # The list moves itself (its own up/down); this binding is the box's.
            return
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_close(self) -> None:
        """Back to the page, where it was."""
        self.dismiss(None)
