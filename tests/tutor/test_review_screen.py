"""Review and stats screens driven with Textual's pilot; tiny stand-in exercise screens answer."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.binding import Binding
from textual.widgets import ProgressBar, Static

from tests.fakes import host
from tutor.practice.outcome import Attempt, Recorded
from tutor.recording import close_stores, open_store, record_attempt
from tutor.screens.base import TutorScreen
from tutor.screens.review import ReviewScreen
from tutor.screens.stats import StatsScreen
from tutor.session import Session
from tutor.settings import Settings, load_settings

shown: list[tuple[str, str, int | None]] = []
positions: list[str] = []


class FakeExercise(TutorScreen[Recorded | None]):
    """Answers right on `y`, wrong on `n`, leaves on escape; records like the real screens do."""

    BINDINGS = [
        Binding("y", "answer(True)"),
        Binding("n", "answer(False)"),
        Binding("escape", "leave"),
    ]

    def __init__(
        self,
        session: Session,
        chapter: Any,
        exercise: Any,
        variant: int | None = None,
        review: bool = False,
        review_position: str = "",
    ) -> None:
        super().__init__(session)
        self.exercise = exercise
        self.variant = variant
        self.showing = session.new_showing()
        shown.append((exercise.id, type(exercise).__name__, variant))
        positions.append(review_position)

    def action_answer(self, correct: bool) -> None:
        attempt = Attempt(
            self.exercise.id, self.variant or 0, correct, 120.0, 180, showing=self.showing
        )
        self.dismiss(self.session.record(attempt))

    def action_leave(self) -> None:
        self.dismiss(None)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:00:00+01:00")
    for module, name in (
        ("tutor.screens.hand_exercise", "HandExerciseScreen"),
        ("tutor.screens.code_exercise", "CodeExerciseScreen"),
        ("tutor.screens.lab", "LabScreen"),
    ):
        fake = types.ModuleType(module)
        setattr(fake, name, FakeExercise)
        monkeypatch.setitem(sys.modules, module, fake)
    shown.clear()
    positions.clear()
    yield load_settings(
        config_file=tmp_path / "none.toml", environ={}, data_dir=str(tmp_path), new_per_day=3
    )
    close_stores()


def status(app: App[None], widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def test_a_session_runs_the_queue_then_shows_a_summary(settings: Settings) -> None:
    app, _ = host(settings, ReviewScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in ("y", "n", "y"):
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.query_one(ProgressBar).progress == 3
        summary = status(app, "#review-summary")
        assert "Right: 2   Wrong: 1   Skipped: 0" in summary
        assert "Next review in" in summary
        shown_keys = [
            key
            for key, active in app.screen.active_bindings.items()
            if active.binding.show and active.node is app.screen
        ]
        assert shown_keys == ["escape"], "a finished session offers only the way back"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)
    assert [item for item, _, _ in shown] == ["1.ex2", "1.ex3", "1.ex4"]
    assert positions == [f"review {n} of 3 · 0 due · 3 new" for n in (1, 2, 3)]
    assert all(
        variant is not None and variant >= 1 for _, kind, variant in shown if kind == "HandExercise"
    )
    assert open_store(settings).log_count() == 3


async def test_leaving_an_item_pauses_and_skip_and_undo_work(settings: Settings) -> None:
    app, _ = host(settings, ReviewScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "Paused at 1.ex3" in status(app, "#review-status")
        await pilot.press("u")
        await pilot.pause()
        assert "Undid 1.ex2" in status(app, "#review-status")
        assert open_store(settings).log_count("undo") == 1
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("escape", "s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "Right: 1   Wrong: 1   Skipped: 1" in status(app, "#review-summary")
    assert [item for item, _, _ in shown] == ["1.ex2", "1.ex3", "1.ex2", "1.ex3", "1.ex4"]
    assert shown[2][2] != shown[0][2], "a redone item comes back as a new variant"


async def test_nothing_due_says_so(settings: Settings) -> None:
    settings = load_settings(
        config_file=settings.data_dir / "none.toml",
        environ={},
        data_dir=str(settings.data_dir),
        new_per_day=0,
    )
    app, _ = host(settings, ReviewScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        summary = status(app, "#review-summary")
        assert "Nothing is due now" in summary and "Right:" not in summary
        assert not app.screen.query_one(ProgressBar).display


async def test_stats_screen_shows_the_figures(settings: Settings) -> None:
    for item, correct in (("1.ex2", True), ("1.ex3", False), ("1.ex14", True)):
        record_attempt(settings, Attempt(item, 1, correct, 60.0, 180))
    app, _ = host(settings, StatsScreen)
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "3 attempts (2 right) on 3 items" in status(app, "#stats-summary")
        forecast = status(app, "#stats-forecast")
        assert forecast.startswith("today") and len(forecast.strip().splitlines()) == 14
        mastery = status(app, "#stats-mastery")
        assert "§1.1" in mastery and "no exercises" in mastery
        assert "busiest day 3 attempts" in status(app, "#stats-heatmap")
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)


async def test_a_missed_item_comes_back_once_its_learning_step_has_passed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(
        config_file=settings.data_dir / "none.toml",
        environ={},
        data_dir=str(settings.data_dir),
        new_per_day=2,
    )
    app, _ = host(settings, ReviewScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        # The relearning step of a 3-minute exercise is 15 minutes (never shorter than that).
        monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:15:00+01:00")
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, FakeExercise) and app.screen.exercise.id == "1.ex2"
        await pilot.press("y")
        await pilot.pause()
        assert "Right: 2   Wrong: 1" in status(app, "#review-summary")
        assert app.screen.query_one(ProgressBar).total == 3


async def test_undo_takes_back_this_sessions_rating_even_after_another_process_logged(
    settings: Settings,
) -> None:
    app, _ = host(settings, ReviewScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        # Meanwhile `tutor check` in another terminal logs an attempt on another item.
        other = open_store(settings).record("1.ex5", variant=0, correct=True, rating=3)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert "Undid 1.ex2" in status(app, "#review-status")
    store = open_store(settings)
    assert store.card("1.ex2") is None
    assert store.item_state("1.ex5").ratings == {other.uuid: 3}
