"""Scheduling: ratings from grades, due dates after right and wrong answers, the 4 am day
boundary."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from progress.clock import ClockError, now, parse_instant
from progress.days import next_day_start, study_date
from progress.schedule import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    card_id_for,
    interval_text,
    rating_for,
    short_step,
)
from progress.store import Store, StoreError

T0 = parse_instant("2026-03-02T10:00:00+00:00")


def learn(store: Store, item: str, at: datetime, tz: str = "UTC") -> datetime:
    """Bring a new item to the Review state (Good, then Good the next study day); its due time."""
    first = store.record(item, variant=1, correct=True, rating=GOOD, at=at, tz=tz)
    assert first.due == next_day_start(at, 4, ZoneInfo(tz))  # a first solve comes back tomorrow
    return store.record(item, variant=1, correct=True, rating=GOOD, at=first.due, tz=tz).due


@pytest.mark.parametrize(
    ("correct", "hints", "attempts", "seconds", "par", "gave_up", "expected"),
    [
        (False, 0, 1, 10, 180, False, AGAIN),
        (True, 0, 1, 10, 180, True, AGAIN),
        (True, 1, 1, 100, 180, False, HARD),
        (True, 0, 3, 100, 180, False, HARD),
        (True, 0, 1, 100, 180, False, GOOD),
        (True, 0, 1, 89, 180, False, EASY),
        (True, 0, 1, 90, 180, False, GOOD),
    ],
)
def test_rating_follows_the_grade(
    correct: bool, hints: int, attempts: int, seconds: float, par: int, gave_up: bool, expected: int
) -> None:
    assert rating_for(correct, hints, attempts, seconds, par, gave_up) == expected


def test_card_ids_are_stable_and_distinct() -> None:
    assert card_id_for("1.ex1") == card_id_for("1.ex1")
    assert card_id_for("1.ex1") != card_id_for("1.ex2")
    assert 0 < card_id_for("1.lab1") < 2**53


@pytest.mark.parametrize(
    ("wait", "text"),
    [
        (timedelta(seconds=0), "now"),
        (timedelta(minutes=10), "in 10 minutes"),
        (timedelta(hours=5), "in 5 hours"),
        (timedelta(days=1), "tomorrow"),
        (timedelta(days=3), "in 3 days"),
        (timedelta(days=120), "in 4 months"),
    ],
)
def test_interval_in_words(wait: timedelta, text: str) -> None:
    assert interval_text(T0, T0 + wait) == text


def test_tutor_now_drives_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T11:00:00+01:00")
    assert now() == T0
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T11:00:00")
    with pytest.raises(ClockError, match="no UTC offset"):
        now()


def test_right_answer_pushes_due_out(store: Store) -> None:
    first_due = learn(store, "1.ex1", T0)
    assert first_due - T0 >= timedelta(days=2)
    again = store.record(
        "1.ex1", variant=2, correct=True, rating=GOOD, at=first_due, utc_offset_min=0
    )
    assert again.counted
    assert again.due - first_due > first_due - T0


def test_wrong_answer_comes_back_within_the_relearning_step(store: Store) -> None:
    first_due = learn(store, "1.ex1", T0)
    wrong = store.record(
        "1.ex1", variant=2, correct=False, rating=AGAIN, at=first_due, utc_offset_min=0
    )
    assert wrong.counted and wrong.lapses == 1 and wrong.lapse
    assert wrong.due - first_due == short_step(0) == timedelta(minutes=15)
    assert store.due(first_due + timedelta(minutes=14)) == []
    assert [item.item_id for item in store.due(first_due + timedelta(minutes=15))] == ["1.ex1"]


def test_a_pass_ahead_of_schedule_is_practice_and_moves_nothing(store: Store) -> None:
    first_due = learn(store, "1.ex1", first_at := T0)
    ahead = store.record(
        "1.ex1",
        variant=2,
        correct=True,
        rating=GOOD,
        at=first_due - timedelta(days=1),
        utc_offset_min=0,
    )
    assert not ahead.counted and not ahead.was_due and not ahead.lapse
    assert ahead.due == first_due
    assert store.log_count() == 3
    assert store.due(first_due - timedelta(hours=1)) == [] and first_at < first_due


def test_a_fail_ahead_of_schedule_is_a_lapse_and_brings_the_item_back(store: Store) -> None:
    first_due = learn(store, "1.ex1", T0)
    at = first_due - timedelta(days=1)
    ahead = store.record("1.ex1", variant=2, correct=False, rating=AGAIN, at=at, utc_offset_min=0)
    assert ahead.counted and not ahead.was_due and ahead.lapse and ahead.lapses == 1
    assert ahead.due == at + short_step(0)
    assert [item.item_id for item in store.due(ahead.due)] == ["1.ex1"]


def test_undo_restores_the_previous_schedule(store: Store) -> None:
    first_due = learn(store, "1.ex1", T0)
    wrong = store.record(
        "1.ex1", variant=2, correct=False, rating=AGAIN, at=first_due, utc_offset_min=0
    )
    undone = store.undo(wrong.uuid, first_due)
    assert undone.attempts == (wrong.uuid,) and undone.item_id == "1.ex1" and undone.rating == AGAIN
    card = store.card("1.ex1")
    assert card is not None and card.due == first_due
    with pytest.raises(StoreError, match="already undone"):
        store.undo(wrong.uuid, first_due)
    assert store.log_count("attempt") == 3 and store.log_count("undo") == 1


def test_override_changes_the_rating_and_the_due_date(store: Store) -> None:
    first_due = learn(store, "1.ex1", T0)
    good = store.record(
        "1.ex1", variant=2, correct=True, rating=GOOD, at=first_due, utc_offset_min=0
    )
    hard = store.override(good.uuid, HARD, first_due)
    assert hard.uuid == good.uuid and hard.rating == HARD
    assert hard.due < good.due


def test_eight_lapses_flag_a_leech(store: Store) -> None:
    at = T0
    due = learn(store, "1.ex1", at)
    for lapse in range(8):
        result = store.record(
            "1.ex1", variant=lapse + 2, correct=False, rating=AGAIN, at=due, utc_offset_min=0
        )
        assert result.leech == (lapse == 7)
        relearned = store.record(
            "1.ex1", variant=lapse + 20, correct=True, rating=GOOD, at=result.due, utc_offset_min=0
        )
        due = relearned.due
    assert store.leeches() == ["1.ex1"]
    assert store.due(due)[0].leech


ZONES = ["Europe/Berlin", "America/New_York"]


@pytest.mark.parametrize("zone", ZONES)
def test_due_items_appear_at_4am_local_in_each_zone(store: Store, zone: str) -> None:
    tz = ZoneInfo(zone)
    due = learn(store, "1.ex1", T0, zone)
    day = study_date(due, 4, tz)
    boundary = (
        datetime.combine(day, datetime.min.time(), tz).replace(hour=4).astimezone(timezone.utc)
    )
    assert next_day_start(boundary - timedelta(minutes=1), 4, tz) == boundary
    assert due == boundary
    assert store.due(boundary - timedelta(minutes=1)) == []
    assert store.due_count(boundary - timedelta(minutes=1)) == 0
    assert [item.item_id for item in store.due(boundary + timedelta(minutes=1))] == ["1.ex1"]
    assert store.due_count(boundary + timedelta(minutes=1)) == 1


def test_the_two_zones_disagree_on_when_the_day_starts() -> None:
    starts = {zone: next_day_start(T0, 4, ZoneInfo(zone)) for zone in ZONES}
    assert starts["Europe/Berlin"] == parse_instant("2026-03-03T03:00:00+00:00")
    assert starts["America/New_York"] == parse_instant("2026-03-03T09:00:00+00:00")


@pytest.mark.parametrize(
    ("zone", "local", "day"),
    [
        ("Europe/Berlin", "2026-03-10T03:59:00+01:00", "2026-03-09"),
        ("Europe/Berlin", "2026-03-10T04:00:00+01:00", "2026-03-10"),
        ("America/New_York", "2026-03-10T03:59:00-04:00", "2026-03-09"),
        ("America/New_York", "2026-03-10T04:01:00-04:00", "2026-03-10"),
    ],
)
def test_system_local_time_follows_tz(
    monkeypatch: pytest.MonkeyPatch, zone: str, local: str, day: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert study_date(parse_instant(local), 4).isoformat() == day
    finally:
        monkeypatch.undo()
        time.tzset()
