"""Exercise 1's drawing part: the answer test, the grid widget's keys, and grading on the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from checkers.drawing import DrawingError, drawing_test, parse_tips
from tests.fakes import checked, hand_app, text_of
from tutor.settings import Settings
from tutor.widgets.vector_grid import DrawingInput, VectorGrid

EXPECTED = "a = [1, 2], b = [3, 0]"


@pytest.mark.parametrize(
    "text",
    [
        "a = [1, 2], b = [3, 0]",
        "a=(1,2); b=(3,0)",
        " b: [3, 0], a: [1, 2] ",
        "a = ⟨1, 2⟩, b = [3, −0]",
    ],
)
def test_a_right_drawing_in_any_spelling(text: str) -> None:
    verdict = drawing_test(text, EXPECTED, {}, {})
    assert verdict.ok, verdict.feedback


@pytest.mark.parametrize(
    "text,feedback",
    [
        ("a = [2, 1], b = [3, 0]", "x and y are swapped"),
        ("a = [3, 0], b = [1, 2]", "names are swapped"),
        ("a = [-1, -2], b = [3, 0]", "opposite way"),
        ("a = [1, 2]", "draw b too"),
        ("a = [1, 2], b = [3, 1]", "b's tip should be at [3, 0], not [3, 1]"),
        ("a = [1, 2], b = [3, 0], c = [1, 1]", "not c"),
    ],
)
def test_a_wrong_drawing_names_the_slip(text: str, feedback: str) -> None:
    verdict = drawing_test(text, EXPECTED, {}, {})
    assert not verdict.ok and not verdict.unreadable
    assert feedback in verdict.feedback


@pytest.mark.parametrize(
    "text",
    ["", "a = [1.5, 2]", "a = [1, 2] b = [3, 0]", "import os", "a = [1, 2], a = [1, 2]", "x" * 500],
)
def test_unreadable_drawings_say_what_to_type(text: str) -> None:
    with pytest.raises(DrawingError):
        parse_tips(text)
    verdict = drawing_test(text, EXPECTED, {}, {})
    assert verdict.unreadable and not verdict.ok


def test_tutor_check_grades_the_drawing_as_the_third_part(tutor_env: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "TUTOR_DATA_DIR": str(tutor_env)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tutor",
            "check",
            "1.ex1",
            "--answer",
            "3",
            "--answer",
            "acos(1/√5)",
            "--answer",
            "a = [2, 1], b = [3, 0]",
            "--json",
            "--no-record",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 1, done.stderr
    parts = {p["name"]: p for p in json.loads(done.stdout)["parts"]}
    assert parts["dot"]["correct"] and parts["angle"]["correct"] and not parts["drawing"]["correct"]
    assert "x and y are swapped" in parts["drawing"]["feedback"]


async def test_the_grid_places_tips_with_arrows_and_letters_never_reach_commands(
    screen_settings: Settings,
) -> None:
    app = hand_app(screen_settings, "1.ex1")
    async with app.run_test(size=(100, 50)) as pilot:
        screen = app.screen
        part = screen.query_one("#part-drawing", DrawingInput)
        part.focus_box()
        await pilot.pause()
        grid = screen.query_one(VectorGrid)
        assert screen.focused is grid
        await pilot.press("right", "up", "up")  # a → [1, 2]
        await pilot.press("b", "right", "right", "right")  # b → [3, 0]
        # Letters and digits on the grid are the grid's: no hint, no give-up, no rating, no leaving.
        await pilot.press("h", "g", "n", "1", "4", "q", "?")
        assert text_of(app, "#hand-hints") == "" and not screen.gave_up
        assert app.screen is screen and screen.focused is grid
        box = screen.query_one("#input-drawing", Input)
        assert box.value == EXPECTED
        drawn = str(grid.render())
        assert (
            "a" in drawn and "θ" in drawn and "°" not in drawn
        )  # the arc, never the angle's value
        screen.query_one("#input-dot", Input).value = "3"
        screen.query_one("#input-angle", Input).value = "acos(1/sqrt(5))"
        await pilot.press("enter")  # enter on the last part's grid checks
        await checked(pilot)
        feedback = str(part.query_one(".answer-feedback", Static).render())
        assert "✓ right" in feedback
        assert "All 3 parts correct" in text_of(app, "#hand-status")


async def test_typed_coordinates_move_the_tips_and_a_wrong_tip_is_named(
    screen_settings: Settings,
) -> None:
    app = hand_app(screen_settings, "1.ex1")
    async with app.run_test(size=(100, 50)) as pilot:
        screen = app.screen
        box = screen.query_one("#input-drawing", Input)
        screen.set_focus(box)
        await pilot.press(*"a = [2, 1], b = [3, 0]")
        grid = screen.query_one(VectorGrid)
        assert grid.tips == {"a": (2, 1), "b": (3, 0)}
        screen.query_one("#input-dot", Input).value = "3"
        screen.query_one("#input-angle", Input).value = "63.43°"
        await pilot.press("ctrl+s")
        await checked(pilot)
        feedback = str(
            screen.query_one("#part-drawing", DrawingInput)
            .query_one(".answer-feedback", Static)
            .render()
        )
        assert "✗" in feedback and "x and y are swapped" in feedback


async def test_an_untouched_grid_is_not_an_answer(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex1")
    async with app.run_test(size=(100, 50)) as pilot:
        screen = app.screen
        screen.query_one("#input-dot", Input).value = "3"
        screen.query_one("#input-angle", Input).value = "63.43°"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not screen.checking
        assert screen.focused is screen.query_one(VectorGrid)


async def test_the_grid_shows_its_axes_and_key_line_before_any_tip_moves(
    screen_settings: Settings,
) -> None:
    """A fresh grid is a grid (axes, ticks, the origin where the tips start), and the line saying
    which vector the arrows move fits inside the widget at 80×24."""
    app = hand_app(screen_settings, "1.ex1")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#part-drawing", DrawingInput).focus_box()
        await pilot.pause()
        grid = screen.query_one(VectorGrid)
        lines = grid.render().plain.split("\n")
        assert len(lines) <= grid.content_region.height, lines
        assert lines[-1].startswith("moving a")
        assert any(line.lstrip().startswith("-5┼") for line in lines)
        assert "•" in "".join(lines)


async def test_a_burst_of_arrows_and_letters_moves_the_tips_in_the_order_typed(
    screen_settings: Settings,
) -> None:
    """Keys arriving together (a fast typist, an SSH link) act in order: `up b right` moves a up,
    then b right; the arrow must not land on b because the letter overtook it."""
    from textual import events

    app = hand_app(screen_settings, "1.ex1")
    async with app.run_test(size=(100, 50)) as pilot:
        screen = app.screen
        screen.query_one("#part-drawing", DrawingInput).focus_box()
        await pilot.pause()
        grid = screen.query_one(VectorGrid)
        burst = [
            ("right", None),
            ("up", None),
            ("up", None),
            ("b", "b"),
            ("right", None),
            ("right", None),
            ("right", None),
            ("a", "a"),
            ("down", None),
            ("up", None),
        ]
        for key, character in burst:  # all queued before any is handled, as a burst arrives
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()
        assert grid.tips == {"a": (1, 2), "b": (3, 0)}
        assert screen.query_one("#input-drawing", Input).value == EXPECTED
