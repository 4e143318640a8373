"""The review queue: lowest recall first, daily limits, new items in course order spread among
reviews."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from progress.clock import parse_instant
from progress.store import Store

T0 = parse_instant("2026-03-02T10:00:00+00:00")
ORDER = [f"1.ex{n}" for n in range(1, 13)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "progress.sqlite3")
    # Four items learned on different days, so their recall differs when they all fall due.
    for n, days_ago in ((1, 9), (2, 7), (3, 5), (4, 3)):
        opened.record(
            f"1.ex{n}",
            variant=1,
            correct=True,
            rating=4,
            at=T0 - timedelta(days=days_ago),
            utc_offset_min=0,
        )
    yield opened
    opened.close()


LATER = T0 + timedelta(days=30)


def test_reviews_come_lowest_recall_first(store: Store) -> None:
    queue = store.review_queue(ORDER, new_per_day=0, reviews_per_day=100, at=LATER, tz=timezone.utc)
    assert [entry.item_id for entry in queue] == ["1.ex1", "1.ex2", "1.ex3", "1.ex4"]
    recall = [entry.retrievability for entry in queue]
    assert recall == sorted(recall) and not any(entry.new for entry in queue)


def test_new_items_follow_course_order_and_are_spread_among_reviews(store: Store) -> None:
    queue = store.review_queue(ORDER, new_per_day=2, reviews_per_day=100, at=LATER, tz=timezone.utc)
    assert [entry.item_id for entry in queue if entry.new] == ["1.ex5", "1.ex6"]
    assert len(queue) == 6
    assert not queue[0].new and not queue[-1].new


@pytest.mark.parametrize(
    ("new_per_day", "reviews_per_day", "expected"),
    [(3, 2, (3, 2)), (0, 100, (0, 4)), (5, 0, (5, 0))],
)
def test_daily_limits(
    store: Store, new_per_day: int, reviews_per_day: int, expected: tuple[int, int]
) -> None:
    queue = store.review_queue(ORDER, new_per_day, reviews_per_day, at=LATER, tz=timezone.utc)
    assert (sum(entry.new for entry in queue), sum(not entry.new for entry in queue)) == expected


def test_what_was_done_today_counts_against_the_limits(store: Store) -> None:
    store.record("1.ex5", variant=1, correct=True, rating=3, at=LATER, utc_offset_min=0)
    store.record("1.ex1", variant=2, correct=True, rating=3, at=LATER, utc_offset_min=0)
    assert store.done_today(LATER + timedelta(minutes=1), timezone.utc) == (1, 1)
    queue = store.review_queue(ORDER, 2, 2, at=LATER + timedelta(minutes=1), tz=timezone.utc)
    assert [entry.item_id for entry in queue if entry.new] == ["1.ex6"]
    assert len([entry for entry in queue if not entry.new]) == 1


def test_items_no_longer_in_the_course_are_left_out(store: Store) -> None:
    queue = store.review_queue(["1.ex2", "1.ex3"], 0, 100, at=LATER, tz=timezone.utc)
    assert [entry.item_id for entry in queue] == ["1.ex2", "1.ex3"]


def test_next_variant_is_new_and_deterministic(store: Store) -> None:
    assert store.next_variant("1.ex1") == 2
    assert store.next_variant("1.ex1") == 2
    assert store.next_variant("1.ex9") == 1
    store.record("1.ex1", variant=3, correct=True, rating=3, at=LATER, utc_offset_min=0)
    assert store.used_variants("1.ex1") == {1, 3}
    assert store.next_variant("1.ex1") == 4
