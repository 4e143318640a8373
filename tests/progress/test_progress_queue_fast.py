"""The review queue's SQL fast path keeps exactly the reviews the plain sort over `due()` would."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from progress.clock import parse_instant
from progress.entry import LogEntry
from progress.store import QueueItem, Store

# One worker runs this module (the randomised store is built once in a module fixture):
# split across workers, each would pay for it.
pytestmark = pytest.mark.xdist_group("queue-fast")

START = parse_instant("2025-06-01T08:00:00+00:00")
CARDS = 300


def _history(
    rng: random.Random, item_id: str, first: datetime, ratings: list[int]
) -> list[LogEntry]:
    entries, at = [], first
    for rating in ratings:
        entries.append(
            LogEntry(
                uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                kind="attempt",
                item_id=item_id,
                at=at,
                correct=rating > 1,
                rating=rating,
                duration_ms=30_000,
            )
        )
        # Short gaps keep some cards in learning / relearning; long ones move them to review.
        at += timedelta(minutes=rng.choice([5, 30, 600, 60 * 24 * rng.randint(1, 40)]))
    return entries


def _randomised_log(seed: int) -> list[LogEntry]:
    rng = random.Random(seed)
    entries: list[LogEntry] = []
    for index in range(CARDS):
        first = START + timedelta(minutes=rng.randrange(60 * 24 * 60))
        ratings = [rng.choice([1, 2, 3, 3, 3, 4]) for _ in range(rng.randint(1, 6))]
        entries += _history(rng, f"9.ex{index}", first, ratings)
        if index % 10 == 0:
            # A twin with the very same history: equal recall, so the tie-break (due, then ID)
            # decides.
            entries += _history(random.Random(index), f"9.tw{index}", first, ratings)
    return entries


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = Store.open(tmp_path_factory.mktemp("queue") / "progress.sqlite3")
    opened.import_entries(_randomised_log(seed=7))
    yield opened
    opened.close()


def _plain_reviews(store: Store, known: list[str], limit: int, at: datetime) -> list[QueueItem]:
    """The straightforward computation: every due item, sorted by (recall, due, ID), cut at the
    limit."""
    wanted = set(known)
    limit = max(0, limit - store.done_today(at, timezone.utc)[1])
    due = sorted(
        (item for item in store.due(at) if item.item_id in wanted),
        key=lambda item: (item.retrievability, item.due, item.item_id),
    )
    return [QueueItem(item.item_id, False, item.retrievability) for item in due][:limit]


MOMENTS = [
    START + timedelta(days=days, hours=hours)
    for days, hours in ((20, 3), (75, 12), (160, 0), (400, 6))
]


ORDER = [f"9.ex{index}" for index in range(CARDS)] + [
    f"9.tw{index}" for index in range(0, CARDS, 10)
]


@pytest.mark.parametrize("at", MOMENTS, ids=[moment.date().isoformat() for moment in MOMENTS])
def test_fast_queue_equals_the_plain_sort_at_every_limit(store: Store, at: datetime) -> None:
    # Every limit, so that some cuts fall between the twins of a tie.
    done = store.done_today(at, timezone.utc)[1]
    plain = _plain_reviews(store, ORDER, 10_000, at)
    assert plain
    for limit in range(done, done + len(plain) + 2):
        queue = store.review_queue(
            ORDER, new_per_day=0, reviews_per_day=limit, at=at, tz=timezone.utc
        )
        assert queue == plain[: limit - done], limit


def test_the_randomised_store_covers_every_state_and_ties(store: Store) -> None:
    at = MOMENTS[1]
    due = store.due(at)
    assert {item.state for item in due} == {"learning", "review", "relearning"}
    recalls = [item.retrievability for item in due]
    assert len(set(recalls)) < len(recalls)


@pytest.mark.parametrize("limit", [3, 25])
def test_items_outside_the_course_do_not_use_up_the_limit(store: Store, limit: int) -> None:
    at = MOMENTS[2]
    order = [f"9.ex{index}" for index in range(0, CARDS, 3)]
    queue = store.review_queue(order, new_per_day=0, reviews_per_day=limit, at=at, tz=timezone.utc)
    assert queue == _plain_reviews(store, order, limit, at)
    assert len(queue) == limit


@pytest.mark.parametrize("at", MOMENTS, ids=[moment.date().isoformat() for moment in MOMENTS])
def test_recall_is_fsrs_recall_of_the_full_card(store: Store, at: datetime) -> None:
    scheduler = store.config.scheduler()
    recalls = store.retrievabilities(at)
    assert len(recalls) == CARDS + CARDS // 10
    for item_id, recall in recalls.items():
        card = store.card(item_id)
        assert card is not None
        assert recall == scheduler.get_card_retrievability(card, at), item_id
