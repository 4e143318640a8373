"""Recording from the exercise screens: committed before the verdict, rated from the grade, undoable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from progress.clock import parse_instant
from progress.rating import Rating
from tutor.practice.outcome import Attempt
from tutor.recording import close_stores, open_store, override_rating, record_attempt, undo_last
from tutor.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:00:00+01:00")
    yield load_settings(config_file=tmp_path / "none.toml", environ={}, data_dir=str(tmp_path / "data"))
    close_stores()


def attempt(item: str = "1.ex1", correct: bool = True, **changes: object) -> Attempt:
    values = {"item_id": item, "variant": 1, "correct": correct, "duration_s": 100.0, "par_seconds": 180}
    values.update(changes)
    return Attempt(**values)  # type: ignore[arg-type]


def test_an_attempt_is_committed_when_record_returns(settings: Settings) -> None:
    recorded = record_attempt(settings, attempt())
    with sqlite3.connect(settings.db_path) as conn:
        rows = conn.execute("SELECT uuid, rating, duration_ms FROM log").fetchall()
    assert rows == [(recorded.uuid, 3, 100_000)]
    assert recorded.rating == 3 and recorded.counted
    assert recorded.interval_text == "in 10 minutes"
    assert recorded.due == parse_instant("2026-03-02T08:10:00+00:00")


@pytest.mark.parametrize(
    ("changes", "rating"),
    [
        ({"correct": False}, 1),
        ({"hints_used": 2}, 2),
        ({"attempts": 3}, 2),
        ({}, 3),
        ({"duration_s": 30.0}, 4),
    ],
)
def test_the_grade_sets_the_rating(settings: Settings, changes: dict[str, object], rating: int) -> None:
    assert record_attempt(settings, attempt(**changes)).rating == rating


def test_override_and_undo(settings: Settings) -> None:
    recorded = record_attempt(settings, attempt())
    easy = override_rating(settings, recorded.uuid, Rating.Easy)
    assert easy.uuid == recorded.uuid and easy.rating == 4
    assert easy.due > recorded.due
    assert undo_last(settings) == recorded.uuid
    assert open_store(settings).card("1.ex1") is None
    assert undo_last(settings) is None


def test_practising_ahead_says_the_schedule_did_not_change(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    first = record_attempt(settings, attempt(duration_s=20.0))
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T10:00:00+01:00")
    ahead = record_attempt(settings, attempt(correct=False))
    assert not ahead.counted and ahead.due == first.due
    assert ahead.interval_text == "in 8 days"
