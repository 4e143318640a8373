"""The app as a learner drives it with the keyboard: home, reader, help, palette, sizes, errors."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console
from textual.command import CommandPalette
from textual.message import Message
from textual.widgets import OptionList, Static

from tests.fakes import until
from tutor import app as app_module
from tutor.screens.help import HelpScreen
from tutor.screens.home import HomeScreen
from tutor.screens.problems import ProblemScreen, TooSmallScreen
from tutor.screens.reader import ReaderScreen
from tutor.settings import THEMES

ID = re.compile(r"\b\d+\.(?:ex|lab)?\d+\b")
SIZE = (80, 24)


def plain(renderable: Any, width: int = 80) -> str:
    """What a renderable shows, as plain text."""
    console = Console(width=width, record=True, file=open("/dev/null", "w"), color_system=None)
    console.print(renderable)
    return console.export_text()


def outline_rows(app: Any) -> list[str]:
    outline = app.screen.query_one("#outline", OptionList)
    return [plain(outline.get_option_at_index(i).prompt) for i in range(outline.option_count)]


def row_ids(rows: list[str]) -> list[str]:
    return [match.group() for row in rows if (match := ID.search(row))]


async def test_home_lists_sections_with_their_exercises_and_labs(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        rows = outline_rows(app)
    assert row_ids(rows) == ["1.1", "1.lab1", "1.ex1", "1.ex3", "1.2", "1.ex2", "1.3"]
    assert rows[0].startswith("• 1.1")
    assert "Norm timing" in rows[1] and rows[1].rstrip().endswith("lab")
    assert rows[3].rstrip().endswith("code")


async def test_home_of_the_real_chapter_has_eight_sections_and_every_item(
    make_app: Callable[..., Any],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = outline_rows(app)
        status = plain(app.screen.query_one("#home-status", Static).content)
    sections = [row for row in rows if row.startswith(("• ", "✓ "))]
    assert [ID.search(row).group() for row in sections] == [f"1.{n}" for n in range(1, 9)]
    ids = set(row_ids(rows))
    assert {f"1.ex{n}" for n in range(1, 21)} <= ids
    assert {f"1.lab{n}" for n in range(1, 5)} <= ids
    assert "0/8 sections read" in status
    assert "0 due for review" in status


async def test_enter_opens_a_section_n_and_p_move_b_returns(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.section_id == "1.1"
        visited = []
        for key in ["n", "n", "n", "p"]:
            await pilot.press(key)
            await pilot.pause()
            visited.append(app.screen.section_id)
        assert visited == ["1.2", "1.3", "1.3", "1.2"]
        title = plain(app.screen.query_one(".section-title", Static).content)
        assert "1.2  Dot products" in title
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_read_marks_appear_and_survive_a_restart(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # A section counts as read once its end has been on screen: 1.1 is read to its end,
        # 1.2 fits on the screen.
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        rows = outline_rows(app)
        status = plain(app.screen.query_one("#home-status", Static).content)
    marks = {ID.search(row).group(): row[0] for row in rows if row[0] in "✓•"}
    assert marks == {"1.1": "✓", "1.2": "✓", "1.3": "•"}
    assert "2/3 sections read" in status

    again = make_app(mini_course)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = outline_rows(again)
    assert {ID.search(row).group(): row[0] for row in rows if row[0] in "✓•"} == marks


async def test_start_section_opens_svd(make_app: Callable[..., Any]) -> None:
    app = make_app(start_section="1.6")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.section_id == "1.6"
        title = plain(app.screen.query_one(".section-title", Static).content)
        body = "\n".join(
            plain(block.content) for block in app.screen.query(".block").results(Static)
        )
    assert "Singular Value Decomposition" in title
    assert "UΣVᵀ" in body


async def test_unknown_start_section_is_reported_not_crashed(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course, start_section="9.9")
    notes: list[str] = []
    app.notify = lambda message, **_: notes.append(message)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert notes == ["There is no section, exercise or lab '9.9'."]


async def test_help_lists_the_keys_of_every_screen(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(
            plain(group.content) for group in app.screen.query(".help-group").results(Static)
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    assert text.index("Reader (this screen)") < text.index("Home")
    for expected in [
        "Next section",
        "Previous section",
        "The chapter's contents",
        "Search the text",
        "Review",
        "Quit",
        "^p",
        "Run the code example in view",
    ]:
        assert expected in text, expected


def first_prompt(app: Any) -> str:
    """The command palette's first result, as text ("" while it has none)."""
    results = app.screen.query_one("CommandList", OptionList)
    return plain(results.get_option_at_index(0).prompt) if results.option_count else ""


async def test_palette_finds_an_exercise_by_id(make_app: Callable[..., Any]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"1.ex11")
        await app.screen.workers.wait_for_complete()
        await until(pilot, lambda: "Open 1.ex11" in first_prompt(app), "the palette's hit")
        results = app.screen.query_one("CommandList", OptionList)
        prompts = [
            plain(results.get_option_at_index(i).prompt) for i in range(results.option_count)
        ]
    assert "Open 1.ex11 Eigenvalues" in prompts[0]


async def test_palette_opens_a_section(make_app: Callable[..., Any], mini_course: Any) -> None:
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"Go to 1.3")
        await app.screen.workers.wait_for_complete()
        await until(pilot, lambda: "1.3" in first_prompt(app), "the palette's hit")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.section_id == "1.3"


async def test_too_small_terminal_shows_an_overlay_until_resized(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        message = plain(app.screen.query_one("#too-small-message", Static).content)
        assert "at least 64×20" in message and "60×20" in message
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.resize_terminal(70, 19)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)


async def test_broken_content_shows_each_problem_and_q_quits(
    make_app: Callable[..., Any], broken_course: Any
) -> None:
    app = make_app(broken_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        problems = [plain(p.content) for p in app.screen.query(".problem").results(Static)]
        await pilot.press("q")
        await pilot.pause()
    assert len(problems) == 1
    assert "broken_course/ch1/sections/1.1.yaml:9" in problems[0]
    assert "unknown key 'txet'" in problems[0]
    assert app.return_code == 1


async def test_a_screen_not_built_yet_is_reported(
    make_app: Callable[..., Any], mini_course: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        app_module.LAZY_SCREENS,
        "hand",
        ("tutor.screens.no_such_screen", "NoSuchScreen", "hand exercise"),
    )
    app = make_app(mini_course)
    notes: list[str] = []
    app.notify = lambda message, **_: notes.append(message)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.open_item("1.ex1")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert notes == ["The hand exercise screen is not available yet."]


async def test_contents_toggle_and_jump(make_app: Callable[..., Any], mini_course: Any) -> None:
    app = make_app(mini_course, start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        toc = app.screen.query_one("#toc", OptionList)
        assert not toc.display or toc.region.width == 0
        await pilot.press("o")
        await pilot.pause()
        assert toc.region.width > 0 and toc.has_focus
        labels = [str(toc.get_option_at_index(i).prompt) for i in range(toc.option_count)]
        assert labels == [
            "Vectors and norms",
            "Lengths",
            "Def: L2 norm",
            "Formula: Euclidean norm",
            "ML connection: Embeddings",
            "Code: A norm in Python",
            "Practice",
        ]
        await pilot.press("end", "enter")
        await pilot.pause()
        body = app.screen.query_one("#body")
        assert body.scroll_y > 0 and body.has_focus
        assert toc.region.width == 0


async def test_theme_from_settings_and_f9_cycles(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course, theme="ansi-dark")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "ansi-dark"
        await pilot.press("f9")
        await pilot.pause()
        assert app.theme == THEMES[(THEMES.index("ansi-dark") + 1) % len(THEMES)]


async def test_section_practice_lists_its_items_and_opens_them(
    make_app: Callable[..., Any], mini_course: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    app = make_app(mini_course, start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        practice = app.screen.query_one("#practice", OptionList)
        ids = [
            row_ids([plain(practice.get_option_at_index(i).prompt)])[0]
            for i in range(practice.option_count)
        ]
        monkeypatch.setattr(app, "open_item", opened.append)
        practice.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
    assert ids == ["1.lab1", "1.ex1", "1.ex3"]
    assert opened == ["1.ex1"]


@pytest.mark.parametrize(("key", "screen_name"), [("r", "ReviewScreen"), ("s", "StatsScreen")])
async def test_home_keys_open_review_and_stats(
    make_app: Callable[..., Any], key: str, screen_name: str
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        # Review goes straight on to its first exercise screen, above itself.
        assert [type(screen).__name__ for screen in app.screen_stack][1] == screen_name


async def test_start_review_opens_the_review_screen(make_app: Callable[..., Any]) -> None:
    app = make_app(start_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen_stack[0], HomeScreen)
        assert type(app.screen_stack[1]).__name__ == "ReviewScreen"


async def test_a_code_example_runs_in_the_session_repl(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    from textual.widgets import RichLog

    from tutor.screens.repl_screen import ReplScreen

    messages: list[Message] = []
    app = make_app(mini_course, start_section="1.1")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        await pilot.press("end", "e")
        await pilot.pause()
        assert isinstance(app.screen, ReplScreen)
        log = app.screen.query_one(RichLog)
        deadline = asyncio.get_running_loop().time() + 30
        while "5.0" not in "\n".join(line.text for line in log.lines):
            assert asyncio.get_running_loop().time() < deadline, [line.text for line in log.lines]
            await pilot.pause(0.05)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    text = "\n".join(line.text for line in log.lines)
    assert "In [1]:" in text and "math.hypot(3, 4)" in text
    sent = [m for m in messages if isinstance(m, ReaderScreen.RunExample)]
    # The hook sees the message once per pump it passes through (screen, then app).
    assert len({id(message) for message in sent}) == 1
    assert "math.hypot(3, 4)" in sent[0].source


async def test_an_unreadable_progress_file_is_explained(
    make_app: Callable[..., Any], mini_course: Any, tutor_env: Any
) -> None:
    tutor_env.mkdir(parents=True)
    (tutor_env / "progress.sqlite3").write_bytes(b"this is not a database")
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        title = plain(app.screen.query_one("#problem-title", Static).content)
        problems = [
            plain(p.content, width=400) for p in app.screen.query(".problem").results(Static)
        ]
    assert "Your progress cannot be opened" in title
    assert "progress.sqlite3" in problems[0]


async def test_cursor_blink_setting_reaches_focused_inputs(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course)
    assert app.settings.cursor_blink is False
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.focused is not None and app.focused.cursor_blink is False


async def test_a_light_theme_rebuilds_the_page_for_a_light_background(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course, start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.screen.query_one("#block-4")
        app.set_theme("textual-light")
        await pilot.pause()
        await pilot.pause()
        after = app.screen.query_one("#block-4")
        assert after is not before
        assert isinstance(app.screen, ReaderScreen) and app.screen.section_id == "1.1"


async def test_a_section_without_exercises_says_so(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course, start_section="1.3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        heading = plain(app.screen.query_one("#practice-heading", Static).content)
        assert not app.screen.query("#practice")
    assert "No exercises for this section." in heading


async def test_wide_terminals_show_the_contents_beside_the_page(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course, start_section="1.2")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        toc = app.screen.query_one("#toc", OptionList)
        assert toc.region.width == 30
        await pilot.press("o")
        await pilot.pause()
        assert toc.region.width == 0


async def test_a_malformed_clock_override_is_explained(
    make_app: Callable[..., Any], mini_course: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUTOR_NOW", "next tuesday")
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        problems = [
            plain(p.content, width=400) for p in app.screen.query(".problem").results(Static)
        ]
    assert "TUTOR_NOW" in problems[0] and "next tuesday" in problems[0]
