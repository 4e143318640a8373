"""Stats figures and their text charts: streak, true retention, forecast, heatmap, mastery."""

from __future__ import annotations

from datetime import date, timedelta, timezone

import pytest

from progress.clock import parse_instant
from progress.stats import compute_stats
from progress.store import Store
from tutor.widgets.stats import SHADES, forecast_text, heatmap_text, mastery_text, shade

T0 = parse_instant("2026-03-02T10:00:00+00:00")


def record(store: Store, item: str, day: float, correct: bool = True) -> None:
    store.record(
        item,
        variant=1,
        correct=correct,
        rating=3 if correct else 1,
        at=T0 + timedelta(days=day),
        utc_offset_min=0,
    )


def test_streak_counts_consecutive_study_days_up_to_today(store: Store) -> None:
    for day in (0, 2, 3, 4):
        record(store, f"1.ex{day + 1}", day)
    stats = compute_stats(store, at=T0 + timedelta(days=4, hours=1), tz=timezone.utc)
    assert stats.streak_days == 3
    assert stats.calendar == {"2026-03-02": 1, "2026-03-04": 1, "2026-03-05": 1, "2026-03-06": 1}
    assert (
        compute_stats(store, at=T0 + timedelta(days=5, hours=1), tz=timezone.utc).streak_days == 3
    )
    assert (
        compute_stats(store, at=T0 + timedelta(days=6, hours=1), tz=timezone.utc).streak_days == 0
    )


def test_true_retention_counts_the_first_review_of_a_learned_item_each_day(store: Store) -> None:
    first = store.record("1.ex1", variant=1, correct=True, rating=3, at=T0, utc_offset_min=0)
    store.record("1.ex1", variant=1, correct=True, rating=3, at=first.due, utc_offset_min=0)
    due = store.card("1.ex1").due
    store.record("1.ex1", variant=2, correct=False, rating=1, at=due, utc_offset_min=0)
    store.record(
        "1.ex1", variant=3, correct=True, rating=3, at=due + timedelta(minutes=16), utc_offset_min=0
    )
    stats = compute_stats(store, at=due + timedelta(hours=1), tz=timezone.utc)
    assert stats.attempts == 4 and stats.correct == 3 and stats.showings == 4
    assert stats.true_retention == 0.0 and stats.retention_sample == 1


def test_forecast_puts_overdue_items_today(store: Store) -> None:
    record(store, "1.ex1", 0)
    record(store, "1.ex2", 0, correct=False)
    stats = compute_stats(store, at=T0 + timedelta(days=3), tz=timezone.utc)
    assert stats.forecast[0] == ("2026-03-05", 2)
    assert sum(count for _, count in stats.forecast) == 2 and len(stats.forecast) == 14


def test_mastery_is_mean_recall_with_unseen_items_at_zero(store: Store) -> None:
    store.record("1.ex1", variant=1, correct=True, rating=4, at=T0, utc_offset_min=0)
    stats = compute_stats(store, {"1.1": ["1.ex1", "1.ex2"], "1.8": []}, at=T0 + timedelta(hours=1))
    assert stats.mastery["1.1"] == pytest.approx(0.5)
    assert stats.mastery["1.8"] is None


@pytest.mark.parametrize(
    ("count", "busiest", "cell"),
    [
        (0, 5, " "),
        (1, 5, "·"),
        (5, 5, "█"),
        (3, 5, "▒"),
        (2, 0, "█"),
        (1, 1, "█"),
        (1, 2, "▒"),
    ],
)
def test_heatmap_shades(count: int, busiest: int, cell: str) -> None:
    assert shade(count, busiest) == cell


def test_heatmap_has_a_row_per_weekday_and_marks_activity() -> None:
    today = date(2026, 3, 4)
    text = heatmap_text({"2026-03-02": 4, "2026-03-03": 1}, today, weeks=4).plain
    rows = text.splitlines()
    assert len(rows) == 8 and rows[0].startswith("Mon") and rows[0].endswith(SHADES[-1] * 2)
    assert "busiest day 4 attempts" in rows[-1]


def test_forecast_and_mastery_text() -> None:
    forecast = forecast_text([("2026-03-02", 4), ("2026-03-03", 2)], width=4).plain.splitlines()
    assert forecast == ["today  ████ 4", "Tue 03 ██·· 2"]
    mastery = mastery_text(
        {"1.1": 0.5, "1.8": None}, {"1.1": "Vectors"}, width=4
    ).plain.splitlines()
    assert mastery[0] == "§1.1   ██··  50%  Vectors"
    assert "no exercises" in mastery[1]
    long = mastery_text(
        {"1.2": 0.5}, {"1.2": "The Dot Product, Projections and Attention"}, width=20
    )
    assert long.plain == "§1.2   ██████████··········  50%  The Dot Product, Projections and At…\n"
    assert len(long.plain.rstrip("\n")) <= 72, "one line inside the panel at 80 columns"
