"""The reader builds each block once: one layout width per page, code lexed once, reopened pages
reused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.syntax import Syntax

from tutor.colours import ANSI, Colours
from tutor.course.loader import load_course
from tutor.course.schema import CodeExample
from tutor.render import HighlightedSyntax, render_block
from tutor.screens.reader import ReaderScreen, prepare_course
from tutor.widgets.blocks import BlockView, cached_render
from tutor.widgets.themed import theme_colours

SIZE = (80, 24)
SOURCE = (
    "import numpy as np\n\ndef gram(A):\n    # A^T A: every column's dot product with every "
    "other\n    return A.T @ A\n"
)


def _segments(renderable: Any, width: int) -> list[Any]:
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    return list(console.render(renderable))


def test_highlighted_syntax_paints_exactly_like_rich_syntax_and_lexes_once(
    monkeypatch: Any,
) -> None:
    ours = HighlightedSyntax(SOURCE, "python", theme="ansi_dark", word_wrap=True)
    plain = Syntax(SOURCE, "python", theme="ansi_dark", word_wrap=True)
    lexed: list[str] = []
    original = Syntax.highlight

    def counting(self: Syntax, code: str, line_range: Any = None) -> Any:
        lexed.append(code)
        return original(self, code, line_range)

    monkeypatch.setattr(Syntax, "highlight", counting)
    ours.lex()
    for width in (30, 60, 30):
        assert _segments(ours, width) == _segments(plain, width)
    # Three renders of the plain Syntax lex three times; ours lexed once, before any render.
    assert len(lexed) == 1 + 3


def test_a_code_block_is_lexed_when_built_not_when_painted(
    mini_course: Any, monkeypatch: Any
) -> None:
    course = load_course(mini_course)
    block = next(b for s in course.sections() for b in s.blocks if isinstance(b, CodeExample))
    rendered = render_block(block)
    calls: list[str] = []
    monkeypatch.setattr(Syntax, "highlight", lambda self, code, line_range=None: calls.append(code))
    _segments(rendered, 70)
    assert calls == []


def test_prepared_course_is_what_the_reader_shows(mini_course: Any) -> None:
    course = load_course(mini_course)
    dark = Colours("dark", "#57a5e2", "#5684a5", "#ffc473", "#8ad4a1", "#ffc473", "#d17e92")
    light = Colours("light", "#002d4f", "#004f8b", "#a86d1c", "#337e4a", "#a86d1c", "#7a273c")
    prepare_course(course, dark)
    for section in course.sections():
        for block in section.blocks:
            assert cached_render(block, dark) is cached_render(block, dark)
            assert cached_render(block, light) is not cached_render(block, dark)
            assert cached_render(block, ANSI) is not cached_render(block, dark)


async def test_a_page_is_rendered_at_one_width_and_reused_when_reopened(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course, start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen) and screen.section_id == "1.1"
        first = {view.id: view.content for view in screen.query(BlockView)}
        assert first
        # The scrollbar's column is reserved, so no block is laid out again one column narrower.
        assert all(len(renderable._lines) == 1 for renderable in first.values())
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert screen.section_id == "1.1"
        again = {view.id: view.content for view in screen.query(BlockView)}
    assert again.keys() == first.keys()
    assert all(again[key] is first[key] for key in first)


async def test_warm_up_renders_every_page_at_the_width_the_reader_uses(
    make_app: Callable[..., Any], mini_course: Any
) -> None:
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        blocks = [block for section in app.course.sections() for block in section.blocks]
        colours = theme_colours(app)
        for _ in range(100):  # The warm-up starts half a second after the first screen.
            await pilot.pause(0.1)
            before = {id(block): cached_render(block, colours)._lines.get(77) for block in blocks}
            if all(lines is not None for lines in before.values()):
                break
        assert all(lines is not None for lines in before.values())
        app.open_item("1.1")
        await pilot.pause()
        shown = {id(view.block): view.content._lines for view in app.screen.query(BlockView)}
    # Opening the page rendered nothing: each block shows the very lines the warm-up made.
    assert shown
    for key, lines in shown.items():
        assert list(lines) == [77] and lines[77] is before[key]
