"""The section reader: one section at a time, a table of contents, and the section's practice."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from rich.console import Console, ConsoleOptions
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tutor.colours import Colours
from tutor.course.exercise_schema import CodeExercise, HandExercise, Lab
from tutor.course.schema import Section
from tutor.screens.base import TutorScreen
from tutor.session import Session
from tutor.widgets.blocks import CodeBlock, block_view, prepare_blocks, toc_label
from tutor.widgets.navlist import NavList
from tutor.widgets.outline import item_grid
from tutor.widgets.themed import theme_colours

if TYPE_CHECKING:
    from tutor.course.loader import Course


Item: TypeAlias = HandExercise | CodeExercise | Lab

TOC_LABEL_WIDTH = 27
"""Characters of a contents entry that fit the 30-column panel; OptionList would wrap the rest."""


def page_width(screen_width: int) -> int:
    """The page's text width on a terminal `screen_width` columns wide (see tutor.tcss: the
    30-column
    contents panel shows from 100 columns; #body has 1 column of padding each side and 1 of
    scrollbar)."""
    contents = 30 if screen_width >= 100 else 0
    return max(1, screen_width - contents - 3)


def prepare_course(
    course: Course,
    colours: Colours,
    console: Console | None = None,
    options: ConsoleOptions | None = None,
) -> None:
    """Parse every section's Markdown, lex its code and build its panels in `colours` (the
    theme's: `tutor.widgets.themed.theme_colours`) ahead of time, and render them with `console`
    and `options` when given (from a worker thread: no widget is touched)."""
    for section in course.sections():
        prepare_blocks(section.blocks, colours, console, options)


def _clip(label: str) -> str:
    return label if len(label) <= TOC_LABEL_WIDTH else label[: TOC_LABEL_WIDTH - 1] + "…"


class ReaderScreen(TutorScreen[None]):
    """Reads one section; n/p move through the chapter, b goes back home."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # The scrollbar's column is kept even while a page fits: otherwise every page is laid out (and
    # each block rendered) at the full width, found to overflow, and laid out again one column
    # narrower.
    DEFAULT_CSS = """
    ReaderScreen #body {
        scrollbar-gutter: stable;
    }
    """
    BINDINGS = [
        Binding("n", "step(1)", "Next", id="reader-next", tooltip="Next section"),
        Binding("p", "step(-1)", "Prev", id="reader-previous", tooltip="Previous section"),
        Binding(
            "t",
            "contents",
            "Contents",
            id="reader-toc",
            tooltip="The chapter's contents over the page; enter jumps to a heading",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            key_display="/",
            show=False,
            id="reader-search",
            tooltip="Search the text of the whole chapter",
        ),
        Binding(
            "e",
            "run_example",
            "Run",
            id="reader-run",
            tooltip="Run the code example in view in the REPL",
        ),
        Binding("b,escape", "back", "Back", id="reader-back", key_display="b"),
        Binding("q", "app.quit", "Quit", show=False, id="reader-quit"),
        Binding(
            "o",
            "toggle_toc",
            "Outline",
            show=False,
            id="reader-outline",
            tooltip="Show or hide this section's outline beside the page",
        ),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="reader-down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="reader-up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="reader-page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="reader-page-up"),
        Binding("home", "edge(0)", "Top", show=False, id="reader-top"),
        Binding("end", "edge(1)", "Bottom", show=False, id="reader-bottom"),
    ]

    class RunExample(Message):
        """The learner asked to run a code example in the REPL."""

        def __init__(self, source: str) -> None:
            super().__init__()
            self.source = source

    def __init__(self, session: Session, section_id: str, at: int | None = None) -> None:
        super().__init__(session)
        self.section_id = section_id
        self._rendered_in = ""
        """The theme the page's blocks were built in."""
        self._start_at = at
        self._read_marked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Static("", id="reader-bar")
        with Horizontal(id="reader-main"):
            yield NavList(id="toc")
            yield VerticalScroll(id="body")
        yield Footer()

    async def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.watch(self.query_one("#body", VerticalScroll), "scroll_y", self._scrolled, init=False)
        await self._render_section(self.section_id, self._start_at)

    def _theme_changed(self, theme: Theme) -> None:
        # Blocks are built in the theme's colours: another theme, the page built again in its
        # colours (kept per theme, so going back to a theme builds nothing).
        if theme.name != self._rendered_in:
            self.show_section(self.section_id)
            self._prepare_theme()

    @work(thread=True, exclusive=True, group="reader-theme", exit_on_error=False)
    def _prepare_theme(self) -> None:
        """Build and render every section in the new theme's colours meanwhile, as the start-up
        warm-up did in the first theme, so that the next section opens as quickly as before."""
        app = self.app
        options = app.console_options.update_width(page_width(app.size.width)).update(
            highlight=False
        )
        prepare_course(self.session.course, theme_colours(app), app.console, options)

    def show_section(self, section_id: str, at: int | None = None) -> None:
        """Replace the page with `section_id` (soon after this call returns), at block `at`."""
        self.call_later(self._render_section, section_id, at)

    async def _render_section(self, section_id: str, at: int | None = None) -> None:
        """Replace the page with `section_id`: at block `at` if given, else where the learner
        left it last time, else at the top. It counts as read once its end has been on screen."""
        body = self.query_one("#body", VerticalScroll)
        if body.children:
            self._remember_place()
        self.section_id = section_id
        chapter, section = self.session.course.find(section_id)
        assert isinstance(section, Section)
        await body.remove_children()
        await body.mount_all(self._page(section, chapter.items_in(section_id)))
        body.scroll_home(animate=False)
        body.focus()
        self._fill_toc(section)
        self._update_bar(f"Chapter {chapter.number} · {chapter.meta.title}", section)
        place = self._places().get(section_id)
        if at is not None:
            self.call_after_refresh(self._land_on, f"#block-{at}")
        elif place:
            self.call_after_refresh(self._resume, section_id, place)
        else:
            self.call_after_refresh(self._check_read)

    def _places(self) -> dict[str, tuple[int, float]]:
        """The session's reading places, read from the data dir the first time."""
        places = self.session.reading_places
        if not places:
            from tutor.reading_places import load_places

            places.update(load_places(self.session.settings))
        return places

    def _remember_place(self) -> None:
        """Keep where this section is scrolled to: the first block on screen and the lines of it
        above the top (a block, not a line number, so another width finds the same place)."""
        body = self.query_one("#body", VerticalScroll)
        if not body.children:
            return
        top = body.scroll_y
        origin = body.virtual_region.y
        for index, block in enumerate(body.query(".block")):
            region = block.virtual_region
            if region.bottom - origin > top:
                self._places()[self.section_id] = (index, top - (region.y - origin))
                break
        else:
            return
        from tutor.reading_places import save_places

        try:
            save_places(self.session.settings, self._places())
        except OSError:
            pass  # only a convenience: the section then opens at the top

    def on_screen_suspend(self) -> None:
        # Leaving the reader (back home, to an exercise, quitting): keep the place.
        self._remember_place()

    def _resume(self, section_id: str, place: tuple[int, float]) -> None:
        if section_id == self.section_id:
            index, offset = place
            body = self.query_one("#body", VerticalScroll)
            blocks = body.query(".block")
            if 0 <= index < len(blocks):
                top = blocks[index].virtual_region.y - body.virtual_region.y
                body.scroll_to(y=max(0.0, top + offset), animate=False, immediate=True)
        self._check_read()

    def _land_on(self, selector: str) -> None:
        """Scroll so the heading of the target sits at the top of the page (after layout, so the
        page's final width, with or without the side outline, is the one measured)."""
        body = self.query_one("#body", VerticalScroll)
        target = self.query_one(selector)
        body.scroll_to(
            y=target.virtual_region.y - body.virtual_region.y, animate=False, immediate=True
        )
        self._check_read()

    def _scrolled(self, _old: float, _new: float) -> None:
        self._check_read()

    def _check_read(self) -> None:
        """Mark the section read once its end is on screen (not when flicked past with n)."""
        section_id = self.section_id
        if section_id in self._read_marked:
            return
        body = self.query_one("#body", VerticalScroll)
        blocks = body.query(".block")
        if not blocks:
            return
        # The end of the text (the last block, not the practice list under it) is on screen.
        end = blocks.last().virtual_region.bottom - body.virtual_region.y
        if end > body.scroll_y + body.scrollable_content_region.height:
            return
        self._read_marked.add(section_id)
        try:
            self.session.mark_read(section_id)
        except ValueError as exc:
            self.notify(str(exc), title="Not saved", severity="error")

    def _page(self, section: Section, items: list[Item]) -> list[Widget]:
        """Every widget of the page, practice list included, so it mounts in one layout pass."""
        self._rendered_in = self.app.theme
        colours = theme_colours(self.app)
        widgets: list[Widget] = [
            Static(Text(f"{section.id}  {section.title}", style="bold"), classes="section-title"),
            Static(Text(section.summary, style="italic"), classes="section-summary"),
        ]
        for index, block in enumerate(section.blocks):
            widgets.append(block_view(block, colours=colours, id=f"block-{index}"))
        if items:
            heading = Text("Practice (tab to it, enter opens)", style="bold")
            widgets.append(Static(heading, id="practice-heading"))
            rows = [Option(item_grid(item), id=item.id) for item in items]
            widgets.append(NavList(*rows, id="practice"))
        else:
            none = Text("No exercises for this section.", style="dim")
            widgets.append(Static(none, id="practice-heading"))
        return widgets

    def _fill_toc(self, section: Section) -> None:
        options = [Option(Text(_clip(section.title), style="bold"), id="top")]
        for index, block in enumerate(section.blocks):
            label = toc_label(block)
            if label:
                options.append(Option(_clip(label), id=f"block-{index}"))
        options.append(Option("Practice", id="practice-heading"))
        self.query_one("#toc", NavList).set_options(options)

    def _update_bar(self, chapter_title: str, section: Section) -> None:
        ids = [s.id for s in self.session.course.sections()]
        position = ids.index(section.id) + 1
        self.query_one("#reader-bar", Static).update(
            Text.assemble((chapter_title, "bold"), f"  ·  section {position} of {len(ids)}")
        )

    # -- actions --------------------------------------------------------------------------

    def action_contents(self) -> None:
        """The chapter's contents over the page (the page keeps its width)."""
        self._open_contents(searching=False)

    def action_search(self) -> None:
        """Search the text of the whole chapter."""
        self._open_contents(searching=True)

    def _open_contents(self, *, searching: bool) -> None:
        from tutor.screens.contents import ContentsScreen

        self.app.push_screen(
            ContentsScreen(self.session.course, self.section_id, searching=searching), self._go_to
        )

    def _go_to(self, place: tuple[str, int | None] | None) -> None:
        if place is None:
            return
        section_id, block = place
        if section_id == self.section_id:
            if block is None:
                self.query_one("#body", VerticalScroll).scroll_home(animate=False)
            else:
                self.call_after_refresh(self._land_on, f"#block-{block}")
        else:
            self.show_section(section_id, block)

    async def action_step(self, delta: int) -> None:
        """Show the next (1) or previous (-1) section in reading order."""
        ids = [s.id for s in self.session.course.sections()]
        target = ids.index(self.section_id) + delta
        if 0 <= target < len(ids):
            await self._render_section(ids[target])
        else:
            self.notify("This is the last section." if delta > 0 else "This is the first section.")

    def action_back(self) -> None:
        """Return to the screen underneath (home)."""
        self.dismiss()

    def action_toggle_toc(self) -> None:
        """Show or hide the table of contents (shown by default on wide terminals)."""
        self.toggle_class("-toc-toggled")
        visible = self.has_class("-wide") != self.has_class("-toc-toggled")
        if visible:
            self.query_one("#toc", NavList).focus()
        else:
            self.query_one("#body", VerticalScroll).focus()

    def action_scroll(self, lines: int) -> None:
        """Scroll the page by lines."""
        # At once, not after the next refresh: each of several j's typed together moves a line.
        self.query_one("#body", VerticalScroll).scroll_relative(
            y=lines, animate=False, immediate=True
        )

    def action_page(self, pages: int) -> None:
        """Scroll the page by screens."""
        body = self.query_one("#body", VerticalScroll)
        if pages > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)

    def action_edge(self, end: int) -> None:
        """Jump to the top (0) or bottom (1) of the page."""
        body = self.query_one("#body", VerticalScroll)
        if end:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)

    def action_run_example(self) -> None:
        """Send the focused code example, or the first one in view, to the REPL."""
        block = self._example_in_view()
        if block is None:
            self.notify("No code example in view: scroll to one, or tab to it.")
            return
        self.post_message(self.RunExample(block.source))

    def _example_in_view(self) -> CodeBlock | None:
        if isinstance(self.focused, CodeBlock):
            return self.focused
        body = self.query_one("#body", VerticalScroll)
        top, bottom = body.scroll_y, body.scroll_y + body.scrollable_content_region.height
        for block in body.query(CodeBlock):
            region = block.virtual_region
            if region.y < bottom and region.bottom > top:
                return block
        return None

    # -- events ---------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#toc")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        body = self.query_one("#body", VerticalScroll)
        if not self.has_class("-wide") and self.has_class("-toc-toggled"):
            self.remove_class("-toc-toggled")
        if event.option.id == "top":
            body.scroll_home(animate=False)
        elif event.option.id:
            # After the outline has closed: the page is wider then and its lines move.
            self.call_after_refresh(self._land_on, f"#{event.option.id}")
        body.focus()

    @on(OptionList.OptionSelected, "#practice")
    def _open_practice(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.session.open_item(event.option.id)
