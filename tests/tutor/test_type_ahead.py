"""Keys typed ahead of a screen change land on the screen the key before them opened (Pilot).

`pilot.press("t", "x")` is no burst: Pilot waits for the app to go idle after every key, so the
screen `t` opens is up before `x` is read. These tests post the keys to the app in one go instead,
the way the terminal driver posts a burst it read in one write (`burst` below), so every key is
read while the screen change of the key before it is still pending. The tmux tests in
tests/e2e/test_tmux_type_ahead.py do the same through a real terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import Input, OptionList

from tests.fakes import FakeSession, ScreenHost, until
from tutor.course.exercise_schema import CodeExercise
from tutor.practice.outcome import Recorded
from tutor.screens.contents import ContentsScreen
from tutor.screens.help import HelpScreen
from tutor.screens.home import HomeScreen
from tutor.screens.reader import ReaderScreen
from tutor.settings import Settings
from tutor.type_ahead import TypeAheadApp

SIZE = (80, 24)
CHARACTERS = {"enter": "\r", "escape": "\x1b", "tab": "\t", "space": " ", "slash": "/"}


def burst(app: App[Any], *keys: str) -> None:
    """Post `keys` to the app at once, as the driver does with keys it read in one write."""
    for key in keys:
        character = CHARACTERS.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


def search_text(app: App[Any]) -> str:
    return app.screen.query_one("#contents-search", Input).value


async def test_slash_and_a_search_typed_at_once(make_app: Callable[..., Any]) -> None:
    """`/` then "weight decay": `e` (run the example) and `d` are reader keys before the fix."""
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        burst(app, "slash", *"weight", "space", *"decay")
        await until(pilot, lambda: isinstance(app.screen, ContentsScreen), "the search")
        await until(pilot, lambda: search_text(app) == "weight decay", "the whole search")
        await pilot.pause()
        assert search_text(app) == "weight decay"
        assert not app.is_screen_installed("repl")  # `e` did not run an example


async def test_the_palette_takes_what_is_typed_after_ctrl_p(make_app: Callable[..., Any]) -> None:
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        burst(app, "ctrl+p", *"norms")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        box = app.screen.query_one(Input)
        await until(pilot, lambda: box.value == "norms", "the palette's search")


async def test_a_palette_choice_then_the_answer_of_what_it_opened(
    make_app: Callable[..., Any],
) -> None:
    """Enter in the palette runs its choice a few messages later (the box submits, the list
    selects, the palette closes, the command opens the exercise): the digits after enter are the
    exercise's first answer, not more search text in the closing palette."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        burst(app, "ctrl+p", *"1.ex2", "enter", "1", "4")
        await until(pilot, lambda: type(app.screen).__name__ == "HandExerciseScreen", "1.ex2")
        await until(
            pilot, lambda: [box.value for box in app.screen.query(Input)][:1] == ["14"], "14"
        )


async def test_next_previous_then_contents_in_one_burst(make_app: Callable[..., Any]) -> None:
    """n, n, p move the reader (each waits for the page before it); `t` opens the contents over
    the section they reached, and `x` is its search."""
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        reader = app.screen
        burst(app, "n", "n", "p", "t", "x")
        await until(pilot, lambda: isinstance(app.screen, ContentsScreen), "the contents")
        await until(pilot, lambda: search_text(app) == "x", "the search")
        assert isinstance(reader, ReaderScreen) and reader.section_id == "1.2"
        contents = app.screen
        assert isinstance(contents, ContentsScreen) and contents.section_id == "1.2"


async def test_help_then_its_keys_then_back_to_the_reader(make_app: Callable[..., Any]) -> None:
    """`?` opens help; `j` scrolls it, escape closes it, and `n` is the reader's again."""
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        burst(app, "question_mark", "j", "j")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        body = app.screen.query_one("#help-body")
        await until(pilot, lambda: body.scroll_y == 2, "help scrolled by two lines")
        burst(app, "escape", "n")
        await until(pilot, lambda: reader.section_id == "1.2", "the next section")
        assert app.screen is reader


async def test_enter_on_an_exercise_at_home_then_its_answer(make_app: Callable[..., Any]) -> None:
    """Home's list opens the exercise through a message (the list's OptionSelected): the digits
    typed right after enter are its first answer."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        await pilot.press("down", "down")  # 1.1, 1.lab1, then 1.ex2
        burst(app, "enter", "1", "4", "tab", "9")
        await until(pilot, lambda: type(app.screen).__name__ == "HandExerciseScreen", "1.ex2")

        def answers() -> list[str]:
            return [box.value for box in app.screen.query(Input)][:2]

        await until(pilot, lambda: answers() == ["14", "9"], "both answers in their boxes")


async def test_keys_after_an_exercise_that_cannot_open_stay_on_home(
    make_app: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen that cannot be opened is no screen change: the keys go on to home, none lost."""
    from tutor import app as app_module

    lazy = dict(app_module.LAZY_SCREENS)
    lazy["hand"] = ("tutor.screens.no_such_screen", "HandExerciseScreen", "hand exercise")
    monkeypatch.setattr(app_module, "LAZY_SCREENS", lazy)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        await pilot.press("down", "down")
        outline = app.screen.query_one("#outline", OptionList)
        start = outline.highlighted
        assert start is not None
        burst(app, "enter", "down", "down")
        await until(pilot, lambda: outline.highlighted == start + 2, "two rows down")
        assert isinstance(app.screen, HomeScreen)


class Typing(Screen[None]):
    """A screen whose box takes the cursor when it mounts."""

    def compose(self) -> ComposeResult:
        yield Input(id="typed")

    def on_mount(self) -> None:
        self.query_one(Input).focus()


class Opened(Typing):
    """The screen the keys open."""


class Gate(TypeAheadApp[None]):
    """`o` opens a screen through a message, `c` opens one and closes it before it has opened."""

    BINDINGS = [Binding("o", "ask_open"), Binding("c", "open_and_cancel")]

    class OpenAsked(events.Message):
        """Posted by `o`; its handler opens the screen (as home's list does)."""

    def get_default_screen(self) -> Screen[None]:
        return Typing()

    def action_ask_open(self) -> None:
        self.screen.post_message(self.OpenAsked())

    def on_gate_open_asked(self) -> None:
        self.push_screen(Opened())

    def action_open_and_cancel(self) -> None:
        self.push_screen(Opened())
        self.pop_screen()


async def test_a_screen_opened_by_a_message_gets_the_keys_after_it() -> None:
    app = Gate()
    async with app.run_test() as pilot:
        app.screen.query_one(Input).blur()
        await pilot.pause()
        burst(app, "o", *"abc")
        await until(pilot, lambda: isinstance(app.screen, Opened), "the opened screen")
        await until(pilot, lambda: app.screen.query_one(Input).value == "abc", "abc in its box")
        assert app.typed_ahead == 0


async def test_keys_after_a_cancelled_screen_change_go_to_the_screen_showing() -> None:
    app = Gate()
    async with app.run_test() as pilot:
        base = app.screen
        base.query_one(Input).blur()
        await pilot.pause()
        burst(app, "c", "tab", *"xy")
        await until(pilot, lambda: base.query_one(Input).value == "xy", "xy in the base box")
        assert app.screen is base and app.typed_ahead == 0
        assert not any(isinstance(screen, Opened) for screen in app.screen_stack)


async def test_a_key_into_a_settled_screen_is_not_held() -> None:
    app = Gate()
    async with app.run_test() as pilot:
        burst(app, "x")
        await until(pilot, lambda: app.screen.query_one(Input).value == "x", "x in the box")
        assert app.typed_ahead == 0


async def test_r_at_home_then_the_first_items_answer(make_app: Callable[..., Any]) -> None:
    """`r` opens the review, which opens its first item after its first paint: the digits typed
    after `r` are that item's first answer, not review keys (`s` would skip)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        burst(app, "r", "1", "8", "s")
        await until(pilot, lambda: type(app.screen).__name__ == "HandExerciseScreen", "item 1")
        await until(
            pilot, lambda: [box.value for box in app.screen.query(Input)][:1] == ["18s"], "18s"
        )


async def test_back_home_then_its_list_keys(make_app: Callable[..., Any]) -> None:
    """`b` closes the reader; the arrow and enter typed after it move home's list and open the
    entry under the cursor then."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader on 1.1")
        burst(app, "b", "down", "down", "enter", "1", "4")
        await until(pilot, lambda: type(app.screen).__name__ == "HandExerciseScreen", "1.ex2")
        await until(
            pilot, lambda: [box.value for box in app.screen.query(Input)][:1] == ["14"], "14"
        )


async def test_a_contents_jump_then_j_scrolls_from_the_heading(
    make_app: Callable[..., Any],
) -> None:
    """Enter on a search hit in another section opens it at the hit; `j` typed straight after
    scrolls one line on from there (it is not undone by the jump)."""
    app = make_app(start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await pilot.press("t", *"eckart")
        await until(pilot, lambda: isinstance(app.screen, ContentsScreen), "the contents")
        await until(pilot, lambda: search_text(app) == "eckart", "the search")
        await pilot.pause()
        burst(app, "enter", "j")
        await until(pilot, lambda: app.screen is reader and reader.section_id == "1.6", "1.6")
        page = reader.query_one("#body")
        await pilot.pause(0.3)
        landed = page.scroll_y
        burst(app, "k")
        await until(pilot, lambda: page.scroll_y == landed - 1, "k back one line")
        # The heading of the hit is one line above the top: j moved on from the heading.
        blocks = list(reader.query(".block"))
        tops = {round(block.virtual_region.y - page.virtual_region.y) for block in blocks}
        assert round(landed - 1) in tops


async def test_give_up_enter_then_the_next_items_answer_in_a_review(
    make_app: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+g saves the give-up in a worker, and enter leaves with its rating only once it is
    saved: the digits typed after enter are the next item's answer, not text lost on the closed
    item. Saving is slowed down (a busy disk), so the keys surely arrive while it runs."""
    from tutor.session import Session

    record = Session.record

    def slow_record(self: Session, attempt: Any) -> Any:
        time.sleep(0.3)
        return record(self, attempt)

    monkeypatch.setattr(Session, "record", slow_record)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        burst(app, "r")
        await until(pilot, lambda: type(app.screen).__name__ == "HandExerciseScreen", "item 1")
        first = app.screen
        burst(app, "ctrl+g", "enter", "1", "8")
        await until(pilot, lambda: app.screen is not first and app.typed_ahead == 0, "item 2")
        second = app.screen
        assert type(second).__name__ == "HandExerciseScreen", type(second).__name__
        await until(pilot, lambda: [box.value for box in second.query(Input)][:1] == ["18"], "18")
        assert first.recorded is not None and first.gave_up  # it left with its rating


class TypeAheadHost(TypeAheadApp[None], ScreenHost):
    """The screen-test host app with the tutor's type-ahead."""


async def test_code_give_up_then_leaving_the_review_item_carries_its_rating(
    screen_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A code review item: ctrl+g (give up), escape twice (out of the solution, out of the
    editor), enter (continue) in one write, while the give-up is still being saved: enter waits
    for it and the item leaves with its rating, instead of enter finding nothing rated."""
    from tutor.screens.code_exercise import CodeExerciseScreen
    from tutor.session import Session

    record = Session.record

    def slow_record(self: Session, attempt: Any) -> Any:
        time.sleep(0.3)
        return record(self, attempt)

    monkeypatch.setattr(Session, "record", slow_record)
    session = FakeSession(screen_settings)
    chapter, item = session.course.find("1.ex13")
    assert isinstance(item, CodeExercise)
    app = TypeAheadHost(session, lambda s: CodeExerciseScreen(s, chapter, item, review=True))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodeExerciseScreen), "1.ex13")
        burst(app, "ctrl+g", "escape", "escape", "enter")
        await until(pilot, lambda: app.dismissed, "the item to leave")
        assert isinstance(app.dismissed[-1], Recorded) and app.dismissed[-1].rating == 1
