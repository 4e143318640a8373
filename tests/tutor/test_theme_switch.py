"""Switching theme (F9) repaints the reader's blocks, figures, a hand exercise's marks and the code
test table in the new theme's colours, never in fixed ANSI colours."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.color import Color as RichColor
from rich.color import ColorType
from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widget import Widget

from checkers.grading import TestResult
from tests.fakes import FakeSession, checked, hand_app, until
from tests.tutor.test_hand_keys import answer_1_ex1
from tutor.colours import ANSI, Colours
from tutor.course.exercise_schema import CodeExercise
from tutor.course.loader import load_course
from tutor.course.schema import Figure, TransformPlot
from tutor.figures import FigureRenderable
from tutor.screens.reader import ReaderScreen
from tutor.settings import Settings
from tutor.widgets.blocks import BlockView
from tutor.widgets.code_editor import TestTable

SIZE = (100, 40)


def expected(app: App[Any], variable: str) -> RichColor:
    """The Rich colour the app's current theme gives a CSS variable such as `text-success`."""
    return Color.parse(app.get_css_variables()[variable]).rich_color


def colours_in(widget: Widget, text: str) -> set[RichColor]:
    """The foreground colours of the segments that show `text` in the widget's painted lines."""
    found: set[RichColor] = set()
    for y in range(widget.size.height):
        for segment in widget.render_line(y):
            if text in segment.text and segment.style and segment.style.color:
                found.add(segment.style.color)
    return found


def standard(colours: set[RichColor]) -> set[RichColor]:
    """The fixed ANSI colours among `colours` (a theme made of RGB colours has none)."""
    return {
        colour for colour in colours if colour.type in (ColorType.STANDARD, ColorType.EIGHT_BIT)
    }


async def test_f9_repaints_the_reader_blocks_in_the_new_themes_colours(
    make_app: Callable[..., Any], mini_course: Path
) -> None:
    app = make_app(mini_course, start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen) and app.theme == "textual-dark"

        def block(kind: str) -> BlockView:
            return next(view for view in screen.query(BlockView) if view.has_class(f"-{kind}"))

        seen = []
        for theme in ("textual-dark", "textual-light", "ansi-dark"):
            if app.theme != theme:
                # F9 goes from textual-dark to textual-light; then a third, ANSI, theme.
                await pilot.press("f9") if theme == "textual-light" else setattr(
                    app, "theme", theme
                )
                await pilot.pause()
            assert app.theme == theme
            definition = colours_in(block("definition"), "Definition: L2 norm")
            callout = colours_in(block("callout"), "ML connection")
            code = colours_in(block("code"), "5.0")
            assert definition == {expected(app, "text-success")}, theme
            assert callout == {expected(app, "text-secondary")}, theme
            assert code == {expected(app, "text-success")}, theme
            keyword = colours_in(block("code"), "import")
            assert keyword == {expected(app, "text-secondary")}, theme
            if theme != "ansi-dark":
                assert not standard(definition | callout | code | keyword)
            seen.append(definition)
        assert seen[0] != seen[1] != seen[2], "each theme, its own colours"
        # Back to the first theme: its page again, in its colours.
        app.theme = "textual-dark"
        await pilot.pause()
        assert colours_in(block("definition"), "Definition: L2 norm") == seen[0]


def _painted(renderable: Any, width: int = 60) -> list[Segment]:
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    return list(console.render(renderable))


def test_a_figure_is_drawn_in_the_roles_colours_and_keys_its_words() -> None:
    figure = Figure(title="Shear", plot=TransformPlot(matrix=[[1.0, 1.0], [0.0, 1.0]]))
    ours = Colours("test", "#102030", "#405060", "#708090", "#a0b0c0", "#d0e0f0", "#f01020")
    painted = _painted(FigureRenderable(figure, ours))
    colours = {s.style.color for s in painted if s.style is not None and s.style.color is not None}
    names = {colour.name for colour in colours}
    # The circle is the primary colour, its image the error colour, the border the accent.
    assert {"#102030", "#f01020", "#708090"} <= names
    assert not standard(colours)
    key = [s for s in painted if s.text == "unit circle"]
    assert key and key[0].style and key[0].style.color and key[0].style.color.name == "#102030"
    # Outside the app (`tutor show`) the same figure keeps the terminal's ANSI colours.
    plain = {
        s.style.color.name
        for s in _painted(FigureRenderable(figure, ANSI))
        if s.style and s.style.color
    }
    assert {"blue", "red", "cyan"} <= plain


def test_the_course_figures_name_no_colour_the_theme_could_change() -> None:
    course = load_course()
    for section in course.sections():
        for block in section.blocks:
            if isinstance(block, Figure):
                words = " ".join(block.caption.lower().replace(":", " ").replace("(", " ").split())
                for colour in ("blue", "red", "green", "yellow", "magenta", "cyan"):
                    assert f" {colour} " not in f" {words} ", (block.title, colour)


async def test_a_hand_exercises_marks_follow_the_theme(screen_settings: Settings) -> None:
    session = FakeSession(screen_settings)
    app = hand_app(session, "1.ex1")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer_1_ex1(pilot)
        await checked(pilot)
        marks = app.screen.query_one("#hand-verdicts")
        await until(pilot, lambda: marks.size.height > 0, "the marks laid out")
        dark = colours_in(marks, "✓")
        assert dark == {expected(app, "text-success")}
        app.theme = "textual-light"
        await pilot.pause()
        light = colours_in(marks, "✓")
        assert light == {expected(app, "text-success")} and light != dark
        assert not standard(dark | light)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TestTable()


async def test_the_code_test_tables_marks_follow_the_theme() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(TestTable)
        # The first row holds the cursor (its own colours): a skipped test, neither ✓ nor ✗.
        table.show(
            [
                TestResult("on cuda", False, skipped=True),
                TestResult("adds", True),
                TestResult("scales", False, "off by one"),
            ]
        )
        await pilot.pause()
        dark = (colours_in(table, "✓"), colours_in(table, "✗"))
        assert dark == ({expected(app, "text-success")}, {expected(app, "text-error")})
        app.theme = "textual-light"
        await pilot.pause()
        light = (colours_in(table, "✓"), colours_in(table, "✗"))
        assert light == ({expected(app, "text-success")}, {expected(app, "text-error")})
        assert light != dark


async def test_the_repl_log_is_written_again_in_the_new_themes_colours() -> None:
    from tests.fakes import settle
    from tests.tutor.test_kernel_repl import ReplApp
    from tutor.widgets.repl import Repl

    app = ReplApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        repl = app.query_one(Repl)
        repl.send("6 * 7")
        await settle(pilot)
        repl.send("1 / 0")
        await settle(pilot)
        log = repl.log_widget

        def shown() -> tuple[set[RichColor], set[RichColor]]:
            return colours_in(log, "Out[1]"), colours_in(log, "ZeroDivisionError")

        dark = shown()
        assert dark == ({expected(app, "text-success")}, {expected(app, "text-error")})
        app.theme = "textual-light"
        await pilot.pause()
        light = shown()
        assert light == ({expected(app, "text-success")}, {expected(app, "text-error")})
        assert light != dark and not standard(dark[0] | dark[1] | light[0] | light[1])
        lines = [line.text for line in log.lines]
        assert lines.count("In [1]:") == 1 and "Out[1]: 42" in lines, "every line once"


async def test_a_code_exercises_hints_follow_the_theme(screen_settings: Settings) -> None:
    from tests.fakes import host
    from tutor.screens.code_exercise import CodeExerciseScreen

    session = FakeSession(screen_settings)
    chapter, item = session.course.find("1.ex14")
    assert isinstance(item, CodeExercise)
    app, _ = host(screen_settings, lambda s: CodeExerciseScreen(s, chapter, item))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+t")
        notes = app.screen.query_one("#code-notes-text")
        await until(pilot, lambda: bool(colours_in(notes, "Hint 1")), "the hint")
        dark = colours_in(notes, "Hint 1")
        assert dark == {expected(app, "text-warning")}
        app.theme = "textual-light"
        await pilot.pause()
        light = colours_in(notes, "Hint 1")
        assert light == {expected(app, "text-warning")} and light != dark


async def test_after_f9_every_page_is_prepared_in_the_new_theme(
    make_app: Callable[..., Any], mini_course: Path
) -> None:
    from tests.fakes import settle
    from tutor.screens.reader import page_width
    from tutor.widgets.blocks import cached_render
    from tutor.widgets.themed import theme_colours

    app = make_app(mini_course, start_section="1.1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert app.theme == "textual-light"
        colours = theme_colours(app)
        width = page_width(SIZE[0])
        blocks = [block for section in app.course.sections() for block in section.blocks]
        # Sections not open yet are already laid out at the page's width in the new colours.
        assert all(width in cached_render(block, colours)._lines for block in blocks)
