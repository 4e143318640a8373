"""The footer and help say only what acts in the screen's present state: no Check on a closed hand
exercise, no Hint once every hint is shown, no Undo or rating before a rating, Check and Give up
disabled while a check runs, F4 disabled while a lab measures, no Undo in a review before one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input

from tests.fakes import FakeSession, checked, hand_app, host, settle, until
from tutor.course.exercise_schema import CodeExercise, HandExercise
from tutor.course.loader import Chapter
from tutor.practice.outcome import Attempt, Recorded
from tutor.screens.code_exercise import CodeExerciseScreen
from tutor.screens.hand_exercise import HandExerciseScreen
from tutor.screens.help import HelpScreen
from tutor.screens.lab import LabScreen
from tutor.screens.review import ReviewScreen
from tutor.settings import Settings

SIZE = (80, 24)


def footer(app: App[Any]) -> dict[str, bool]:
    """The keys the footer shows: True where the key acts, False where it shows disabled (a key
    the state hides is absent)."""
    return {
        key: active.enabled
        for key, active in app.screen.active_bindings.items()
        if active.binding.show
    }


def hand(app: App[Any]) -> HandExerciseScreen:
    screen = app.screen
    assert isinstance(screen, HandExerciseScreen)
    return screen


async def test_a_given_up_hand_exercise_offers_no_check(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex2")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ctrl+s" in footer(app), "the exercise")
        assert footer(app)["ctrl+s"] and footer(app)["ctrl+g"]
        await pilot.press("ctrl+g")
        await until(pilot, lambda: hand(app).recorded is not None, "the give-up recorded")
        shown = footer(app)
        assert "ctrl+s" not in shown and "g" not in shown and "ctrl+g" not in shown, shown
        # What does act there is shown: a hint (none taken yet), undo, the rating, back.
        assert {"h", "u", "r", "escape"} <= set(shown), shown
        status = str(app.screen.query_one("#hand-status").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(app.screen.query_one("#hand-status").render()) == status


async def test_a_solved_hand_exercise_offers_no_check(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex2", variant=0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ctrl+s" in footer(app), "the exercise")
        for answer in ("14", "sqrt(54)", "5", "L1", "Linf"):
            await pilot.press(*answer, "enter")
        await checked(pilot)
        await until(pilot, lambda: hand(app).solved, "1.ex2 solved")
        assert "ctrl+s" not in footer(app) and "ctrl+g" not in footer(app)


async def test_check_and_give_up_show_disabled_while_a_check_runs(
    screen_settings: Settings,
) -> None:
    app = hand_app(screen_settings, "1.ex2")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ctrl+s" in footer(app), "the exercise")
        hand(app).checking = True  # as while the checker works (it is quick here)
        await pilot.pause()
        assert footer(app)["ctrl+s"] is False and footer(app)["ctrl+g"] is False
        hand(app).checking = False
        await pilot.pause()
        assert footer(app)["ctrl+s"] is True and footer(app)["ctrl+g"] is True


async def test_the_hint_keys_go_once_every_hint_is_shown(
    screen_settings: Settings, chapter: Chapter
) -> None:
    exercise = next(item for item in chapter.exercises if item.id == "1.ex2")
    assert isinstance(exercise, HandExercise) and exercise.hints
    app = hand_app(screen_settings, "1.ex2")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ctrl+t" in footer(app), "the exercise")
        for _ in exercise.hints:
            assert "ctrl+t" in footer(app)
            await pilot.press("ctrl+t")
            await pilot.pause()
        assert hand(app).hints_shown == len(exercise.hints)
        assert "ctrl+t" not in footer(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "h" not in footer(app) and "g" in footer(app)


async def test_rating_keys_wait_for_a_rating(screen_settings: Settings) -> None:
    app = hand_app(screen_settings, "1.ex2")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ctrl+s" in footer(app), "the exercise")
        await pilot.press("escape")  # out of the box: the plain keys show
        await pilot.pause()
        shown = footer(app)
        assert "h" in shown and "r" not in shown and "u" not in shown, shown


async def test_the_last_hand_exercise_offers_no_next(
    screen_settings: Settings, chapter: Chapter
) -> None:
    last = [item.id for item in chapter.exercises if isinstance(item, HandExercise)][-1]
    app = hand_app(screen_settings, last)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ctrl+s" in footer(app), last)
        await pilot.press("escape")
        await pilot.pause()
        assert "n" not in footer(app) and "escape" in footer(app)
    app = hand_app(screen_settings, "1.ex2")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ctrl+s" in footer(app), "1.ex2")
        await pilot.press("escape")
        await pilot.pause()
        assert "n" in footer(app)


async def test_help_on_a_closed_exercise_says_check_does_not_act(
    make_app: Callable[..., Any],
) -> None:
    app = make_app(start_section="1.ex2")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HandExerciseScreen), "1.ex2")
        screen = app.screen
        await until(pilot, lambda: isinstance(app.focused, Input), "the first box")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: screen.recorded is not None, "the give-up recorded")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        heading, rows = help_screen._groups()[0]
        assert heading == "Hand exercise (this screen)"
        described = dict(rows)
        assert described["^s"] == "Check every part (not now: given up: the answers are closed)"
        assert described["g"] == "Show the worked solution (not now: given up already)"
        assert "not now" not in described["u"] and "not now" not in described["h"]
        assert described["s"].endswith("(not now: only in a review)")


def code_item(chapter: Chapter, item_id: str) -> CodeExercise:
    item = next(item for item in chapter.exercises if item.id == item_id)
    assert isinstance(item, CodeExercise)
    return item


async def test_code_hint_and_check_follow_the_state(chapter: Chapter, settings: Settings) -> None:
    item = code_item(chapter, "1.ex13")
    app, _ = host(settings, lambda session: CodeExerciseScreen(session, chapter, item))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CodeExerciseScreen)
        for _ in item.hints:
            assert footer(app)["ctrl+t"]
            await pilot.press("ctrl+t")
            await pilot.pause()
        assert "ctrl+t" not in footer(app)
        screen.checking = True
        await pilot.pause()
        assert footer(app)["ctrl+s"] is False
        screen.checking = False
        await pilot.press("escape")  # leave the editor: plain keys act, undo waits for a rating
        await pilot.pause()
        assert footer(app)["ctrl+s"] is True and "u" not in footer(app)


async def test_f4_shows_disabled_while_a_lab_measures(chapter: Chapter, settings: Settings) -> None:
    item = next(item for item in chapter.labs if item.id == "1.lab4")
    app, _ = host(settings, lambda session: LabScreen(session, chapter, item))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert footer(app)["f4"] is True
        screen.measuring = True  # as while a run goes on
        await pilot.pause()
        assert footer(app)["f4"] is False


async def test_a_paused_review_offers_undo_only_after_a_rating(
    make_app: Callable[..., Any],
) -> None:
    app = make_app(start_review=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HandExerciseScreen), "the first item")
        await until(pilot, lambda: isinstance(app.focused, Input), "its first box")
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the paused session")
        await pilot.pause()
        shown = footer(app)
        assert "enter" in shown and "s" in shown and "u" not in shown, shown


async def test_enter_straight_after_giving_up_in_a_review_waits_for_the_rating(
    screen_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The give-up is saved by a worker; enter pressed before it is done used to leave with no
    rating (the session then paused on the item). Now the item leaves once it is rated."""
    session = FakeSession(screen_settings)
    saving = threading.Event()
    record = session.record

    def slow_record(attempt: Attempt) -> Recorded:
        saving.wait(10)
        return record(attempt)

    monkeypatch.setattr(session, "record", slow_record)
    app = hand_app(session, "1.ex2", review=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "ctrl+s" in footer(app), "the item")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: hand(app).gave_up, "given up")
        assert footer(app).get("s") is False  # skip waits for the save, shown disabled
        await pilot.press("enter")
        await pilot.pause()
        assert app.dismissed == []  # still saving: not left yet
        saving.set()
        await until(pilot, lambda: app.dismissed, "the item left once rated")
        assert isinstance(app.dismissed[0], Recorded)
