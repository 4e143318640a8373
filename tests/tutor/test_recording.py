"""Recording from the exercise screens: committed before the verdict, rated from the grade,
undoable."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from progress.clock import parse_instant
from progress.rating import Rating
from progress.store import StoreError
from tutor.practice.outcome import Attempt
from tutor.recording import close_stores, open_store, override_rating, record_attempt, undo
from tutor.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:00:00+01:00")
    yield load_settings(
        config_file=tmp_path / "none.toml", environ={}, data_dir=str(tmp_path / "data")
    )
    close_stores()


def attempt(item: str = "1.ex1", correct: bool = True, **changes: object) -> Attempt:
    values = {
        "item_id": item,
        "variant": 1,
        "correct": correct,
        "duration_s": 100.0,
        "par_seconds": 180,
    }
    values.update(changes)
    return Attempt(**values)  # type: ignore[arg-type]


def test_an_attempt_is_committed_when_record_returns(settings: Settings) -> None:
    recorded = record_attempt(settings, attempt())
    with sqlite3.connect(settings.db_path) as conn:
        rows = conn.execute("SELECT uuid, rating, duration_ms FROM log").fetchall()
    assert rows == [(recorded.uuid, 3, 100_000)]
    assert recorded.rating == 3 and recorded.counted and recorded.showing == recorded.uuid
    # A first solve is learning: it comes back at the start of the next study day (4 am local).
    assert recorded.due == parse_instant("2026-03-03T04:00:00+00:00")
    assert recorded.interval_text == "tomorrow (Tue 3 Mar)"
    assert recorded.schedule_text == "schedule changed: next review tomorrow (Tue 3 Mar)"


@pytest.mark.parametrize(
    ("changes", "rating"),
    [
        ({"correct": False}, 1),
        ({"hints_used": 2}, 2),
        ({"attempts": 3}, 2),
        ({}, 3),
        ({"duration_s": 30.0}, 3),
    ],
)
def test_the_grade_sets_the_rating(
    settings: Settings, changes: dict[str, Any], rating: int
) -> None:
    """A first-ever showing never rates Easy: fast or not, the item is not known yet."""
    assert record_attempt(settings, attempt(**changes)).rating == rating


def test_fast_first_try_rates_easy_once_the_item_is_known(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = record_attempt(settings, attempt())
    monkeypatch.setenv("TUTOR_NOW", first.due.isoformat())
    assert record_attempt(settings, attempt(duration_s=30.0)).rating == 4


def test_override_and_undo(settings: Settings) -> None:
    recorded = record_attempt(settings, attempt())
    easy = override_rating(settings, recorded.uuid, Rating.Easy)
    assert easy.uuid == recorded.uuid and easy.rating == 4
    assert easy.due > recorded.due
    undone = undo(settings, recorded.uuid)
    assert undone.attempts == (recorded.uuid,) and undone.rating == Rating.Easy
    assert open_store(settings).card("1.ex1") is None
    with pytest.raises(StoreError, match="already undone"):
        undo(settings, recorded.uuid)


def test_a_screens_showing_folds_its_tries_into_one_review(settings: Settings) -> None:
    """Three wrong tries and a right one in one showing: one Hard review, not four reviews."""
    showing = "6f1c1d1e-0000-4000-8000-00000000abcd"
    for number in (1, 2, 3):
        wrong = record_attempt(settings, attempt(correct=False, attempts=number, showing=showing))
        assert wrong.rating == Rating.Again and wrong.attempt_number == number
    right = record_attempt(settings, attempt(attempts=4, showing=showing))
    assert right.rating == Rating.Hard and right.showing == showing and right.attempt_number == 4
    state = open_store(settings).item_state("1.ex1")
    assert state.reps == 1 and len(state.showings) == 1
    card = open_store(settings).card("1.ex1")
    assert card is not None and card.difficulty is not None and card.difficulty < 7


def test_undoing_a_showing_undoes_all_its_tries(settings: Settings) -> None:
    showing = "6f1c1d1e-0000-4000-8000-00000000abce"
    record_attempt(settings, attempt(correct=False, showing=showing))
    record_attempt(settings, attempt(attempts=2, showing=showing))
    assert len(undo(settings, showing).attempts) == 2
    assert open_store(settings).card("1.ex1") is None


def test_the_cli_joins_submissions_within_a_sitting(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = record_attempt(settings, attempt(correct=False))
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:20:00+01:00")
    right = record_attempt(settings, attempt())
    assert right.showing == wrong.uuid and right.attempt_number == 2 and right.rating == Rating.Hard
    # Solved: the next check starts a new showing, even within the half hour.
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:25:00+01:00")
    again = record_attempt(settings, attempt())
    assert again.showing == again.uuid and again.attempt_number == 1 and not again.counted


def test_the_cli_starts_a_new_showing_after_half_an_hour(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = record_attempt(settings, attempt(correct=False))
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:31:00+01:00")
    later = record_attempt(settings, attempt(correct=False))
    assert later.showing == later.uuid != wrong.showing


def test_practising_ahead_says_the_schedule_did_not_change(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = record_attempt(settings, attempt(duration_s=20.0))
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T10:00:00+01:00")
    ahead = record_attempt(settings, attempt())
    assert not ahead.counted and ahead.due == first.due
    assert ahead.schedule_text == (
        "practice (the item was not due): schedule unchanged, next review tomorrow (Tue 3 Mar)"
    )


def test_failing_ahead_of_schedule_is_a_lapse_and_says_so(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_attempt(settings, attempt())
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T10:00:00+01:00")
    failed = record_attempt(settings, attempt(correct=False))
    assert failed.counted and not failed.was_due
    assert failed.due == parse_instant("2026-03-02T10:15:00+01:00")
    assert failed.schedule_text == (
        "not due yet but failed: counted as a lapse, next review in 15 minutes"
    )
