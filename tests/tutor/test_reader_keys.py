"""Reading with the keyboard: contents jumps land on the heading, each section reopens where it was
left, a section is read once its end was on screen, `/` searches the whole chapter, the palette
finds sections by their words, and the footer names `e`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import CommandPalette
from textual.containers import VerticalScroll
from textual.widgets import Input, OptionList

from tests.fakes import until
from tutor.screens.contents import ContentsScreen
from tutor.screens.reader import ReaderScreen
from tutor.search import search

SIZE = (80, 24)


def section_shown(app: Any, section_id: str) -> bool:
    """The reader is the current screen and shows `section_id`."""
    return isinstance(app.screen, ReaderScreen) and app.screen.section_id == section_id


def body(app: Any) -> VerticalScroll:
    return app.screen.query_one("#body", VerticalScroll)


def heading_at_top(app: Any, block: int) -> bool:
    """Whether block `block`'s first line is the page's first visible line."""
    page = body(app)
    target = app.screen.query_one(f"#block-{block}")
    return target.virtual_region.y - page.virtual_region.y == round(page.scroll_y)


async def test_a_contents_jump_lands_on_the_heading(make_app: Callable[..., Any]) -> None:
    app = make_app(start_section="1.2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ContentsScreen)
        listing = app.screen.query_one("#contents-list", OptionList)
        # Chapter-wide: every section is listed, not only the one on screen.
        ids = [listing.get_option_at_index(i).id or "" for i in range(listing.option_count)]
        assert {"at-1_1-top", "at-1_6-top", "at-1_8-top"} <= set(ids)
        target = next(
            i for i in ids if i.startswith("at-1_2-") and not i.endswith("top") and i != ids[-1]
        )
        listing.highlighted = ids.index(target)
        await pilot.press("enter")
        await until(pilot, lambda: section_shown(app, "1.2") and body(app).scroll_y > 0, "1.2")
        assert isinstance(app.screen, ReaderScreen) and app.screen.section_id == "1.2"
        block = int(target.rsplit("-", 1)[1])
        assert body(app).scroll_y > 0 and heading_at_top(app, block)
        # The page kept its full width: the contents were over it, not beside it.
        assert body(app).region.width == SIZE[0]


async def test_a_section_reopens_where_it_was_left(make_app: Callable[..., Any]) -> None:
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"jjjjjjjjjjjj")
        await pilot.pause()
        place = body(app).scroll_y
        assert place > 0
        await pilot.press("n")
        await until(pilot, lambda: section_shown(app, "1.2"), "1.2")
        assert app.screen.section_id == "1.2" and body(app).scroll_y == 0
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("ctrl+p", *"Go to 1.1")
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: section_shown(app, "1.1") and body(app).scroll_y == place)
        assert isinstance(app.screen, ReaderScreen) and app.screen.section_id == "1.1"
        assert body(app).scroll_y == place


async def test_flicking_past_with_n_does_not_mark_sections_read(
    make_app: Callable[..., Any],
) -> None:
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "n")
        await pilot.pause()
        assert app.session.sections_read() == set()
        await pilot.press("end")
        await pilot.pause()
        assert app.session.sections_read() == {"1.3"}


async def test_slash_searches_the_whole_chapter(make_app: Callable[..., Any]) -> None:
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"weight decay")
        await pilot.pause()
        listing = app.screen.query_one("#contents-list", OptionList)
        first = str(listing.get_option_at_index(0).prompt)
        assert "weight decay" in first.lower(), first
        await pilot.press("enter")
        hit = search(app.course, "weight decay")[0]
        await until(pilot, lambda: section_shown(app, hit.section_id), "the hit's section")
        assert isinstance(app.screen, ReaderScreen) and app.screen.section_id == hit.section_id
        assert hit.block is not None
        page = body(app)
        top = app.screen.query_one(f"#block-{hit.block}").virtual_region.y - page.virtual_region.y
        assert page.scroll_y <= top < page.scroll_y + page.scrollable_content_region.height


async def test_the_palette_finds_sections_by_their_words(make_app: Callable[..., Any]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"LoRA")
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        options = app.screen.query_one("CommandList", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Go to 1.3" in prompt and "LoRA" in prompt for prompt in prompts), prompts


async def test_the_reader_footer_names_run_example(make_app: Callable[..., Any]) -> None:
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = {key for key, active in app.screen.active_bindings.items() if active.binding.show}
        assert {"e", "t", "n", "p"} <= shown


async def test_the_place_survives_going_home_and_a_restart(make_app: Callable[..., Any]) -> None:
    app = make_app(start_section="1.3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"jjjjjjjjjjjjjjjjjjjj")
        await pilot.pause()
        place = body(app).scroll_y
        assert place > 0
        await pilot.press("b")
        await pilot.pause()
        app.open_item("1.3")
        await until(pilot, lambda: section_shown(app, "1.3") and body(app).scroll_y == place)
        assert body(app).scroll_y == place
    again = make_app(start_section="1.3")
    async with again.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: section_shown(again, "1.3") and body(again).scroll_y == place)
        assert body(again).scroll_y == place


async def test_typing_on_the_contents_list_searches(make_app: Callable[..., Any]) -> None:
    """`t` says "type to search its text": typed letters (j and g too) go to the search box, even
    with the list focused; up/down move through the results and enter opens one."""
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ContentsScreen)
        assert "type to search" in str(app.screen.query_one("#contents-title").render())
        listing = app.screen.query_one("#contents-list", OptionList)
        box = app.screen.query_one("#contents-search", Input)
        assert app.screen.focused is box and listing.highlighted == 0
        await pilot.press("down", "down", "up")
        assert listing.highlighted == 1 and app.screen.focused is box
        await pilot.press(*"weight decay")
        await pilot.pause()
        assert box.value == "weight decay"
        first = str(listing.get_option_at_index(0).prompt)
        assert "weight decay" in first.lower(), first
        # On the list itself (tab), a letter adds to the search, not to the list's j/k/g moves.
        await pilot.press("tab")
        assert app.screen.focused is listing
        await pilot.press("s")
        assert box.value == "weight decays" and app.screen.focused is box
        await pilot.press("backspace", "enter")
        hit = search(app.course, "weight decay")[0]
        await until(pilot, lambda: section_shown(app, hit.section_id), "the hit's section")
        assert isinstance(app.screen, ReaderScreen) and app.screen.section_id == hit.section_id
