"""The review queue: what is due now, lowest recall first, new items spread among the reviews."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from fsrs import State

from progress import clock
from progress.cards import CardCache
from progress.database import StoreError
from progress.days import day_start
from progress.schedule import LEECH_LAPSES


@dataclass(frozen=True)
class DueItem:
    """An item whose review counts now."""

    item_id: str
    due: datetime
    state: str
    """"learning", "review" or "relearning"."""
    retrievability: float
    lapses: int
    leech: bool


@dataclass(frozen=True)
class QueueItem:
    """One entry of a review session."""

    item_id: str
    new: bool
    retrievability: float


class Queue(CardCache):
    """Read-only questions about the card cache: due items, counts, recall, the day's session."""

    def _recall_at(self, at: datetime) -> Callable[[float | None, int | None], float]:
        """fsrs's retrievability at `at`, as a function of a card's stability and last review time.

        fsrs only uses the whole days elapsed, max(0, (at - last_review).days): each card is given a
        stand-in last review exactly that many days before `at` (one per distinct day count), which
        yields the very same float without converting every card's time to a datetime."""
        scheduler = self.config.scheduler()
        now_us = clock.to_us(at)
        stand_ins: dict[int, datetime] = {}

        def recall(stability: float | None, last_review_us: int | None) -> float:
            if stability is None or last_review_us is None:
                return 0.0
            days = max(0, (now_us - last_review_us) // _DAY_US)
            last_review = stand_ins.get(days)
            if last_review is None:
                last_review = stand_ins[days] = at - timedelta(days=days)
            # fsrs reads only these two fields; a full Card.from_json costs ten times more.
            view = _RecallView(stability, last_review)
            return float(scheduler.get_card_retrievability(view, at))  # type: ignore[arg-type]

        return recall

    def due(self, at: datetime | None = None, leave_out: Collection[str] = ()) -> list[DueItem]:
        """Items whose review counts now, soonest first (suspended and `leave_out` ones aside)."""
        moment = at or clock.now()
        rows = self._read(
            "SELECT item_id, last_review_us, state, due_us, stability, lapses FROM cards "
            f"WHERE card IS NOT NULL AND due_us <= ? AND {_NOT_SUSPENDED} ORDER BY due_us, item_id",
            (clock.to_us(moment),),
        )
        recall = self._recall_at(moment)
        return [
            DueItem(
                item_id=item_id,
                due=clock.from_us(due_us),
                state=_STATE_NAMES[state],
                retrievability=recall(stability, last_review_us),
                lapses=lapses,
                leech=lapses >= LEECH_LAPSES,
            )
            for item_id, last_review_us, state, due_us, stability, lapses in rows
            if item_id not in leave_out
        ]

    def due_count(self, at: datetime | None = None, leave_out: Collection[str] = ()) -> int:
        """How many items are due now (the home screen's badge)."""
        moment = at or clock.now()
        left = sorted(set(leave_out))
        # SQLite counts; the few items left out (labs not added) go in as parameters.
        rows = self._read(
            "SELECT COUNT(*) FROM cards WHERE card IS NOT NULL AND due_us <= ? "
            f"AND {_NOT_SUSPENDED} AND item_id NOT IN ({','.join('?' * len(left))})",
            (clock.to_us(moment), *left),
        )
        return int(rows[0][0])

    def retrievabilities(self, at: datetime | None = None) -> dict[str, float]:
        """Item ID → predicted probability of recall now, for every item ever reviewed."""
        moment = at or clock.now()
        rows = self._read(
            "SELECT item_id, stability, last_review_us FROM cards WHERE card IS NOT NULL"
        )
        recall = self._recall_at(moment)
        return {item_id: recall(stability, last) for item_id, stability, last in rows}

    def mastery(self, item_ids: Iterable[str], at: datetime | None = None) -> float | None:
        """Mean retrievability over `item_ids` (never-seen items count 0); None for no items."""
        wanted = list(item_ids)
        if not wanted:
            return None
        known = self.retrievabilities(at)
        return sum(known.get(item_id, 0.0) for item_id in wanted) / len(wanted)

    def due_times(self, leave_out: Collection[str] = ()) -> list[int]:
        """Due times (epoch microseconds) of every reviewed item, soonest first (suspended and
        `leave_out` ones aside)."""
        left = sorted(set(leave_out))
        rows = self._read(
            f"SELECT due_us FROM cards WHERE card IS NOT NULL AND {_NOT_SUSPENDED} "
            f"AND item_id NOT IN ({','.join('?' * len(left))}) ORDER BY due_us",
            left,
        )
        return [int(row[0]) for row in rows]

    def leeches(self) -> list[str]:
        """Items lapsed at least LEECH_LAPSES times."""
        rows = self._read(
            "SELECT item_id FROM cards WHERE lapses >= ? ORDER BY item_id", (LEECH_LAPSES,)
        )
        return [row[0] for row in rows]

    def done_today(self, at: datetime | None = None, tz: tzinfo | None = None) -> tuple[int, int]:
        """(new items introduced, items reviewed) in the current study day."""
        moment = at or clock.now()
        start = clock.to_us(day_start(moment, self.config.day_starts_hour, tz))
        new = self._read("SELECT COUNT(*) FROM cards WHERE first_us >= ?", (start,))[0][0]
        # An undo always comes after its attempt, so today's undos are the only ones that matter.
        reviews = self._read(
            "SELECT COUNT(DISTINCT log.item_id) FROM log JOIN cards ON cards.item_id = log.item_id "
            "WHERE log.kind = 'attempt' AND log.at_us >= ? AND cards.first_us < ? "
            "AND log.uuid NOT IN "
            "(SELECT target FROM log WHERE kind = 'undo' AND at_us >= ?)",
            (start, start, start),
        )[0][0]
        return int(new), int(reviews)

    def review_queue(
        self,
        item_order: Sequence[str],
        new_per_day: int,
        reviews_per_day: int,
        at: datetime | None = None,
        tz: tzinfo | None = None,
        leave_out: Collection[str] = (),
    ) -> list[QueueItem]:
        """A session: due reviews by lowest recall, new items (in `item_order`) spread among them;
        suspended items and `leave_out` (labs not added to the reviews) stay out."""
        moment = at or clock.now()
        new_done, reviews_done = self.done_today(moment, tz)
        hidden = self.suspended() | set(leave_out)
        wanted = set(item_order) - hidden
        reviews = self._lowest_recall(wanted, max(0, reviews_per_day - reviews_done), moment)
        seen = {row[0] for row in self._read("SELECT item_id FROM cards WHERE attempts > 0")}
        fresh = [
            QueueItem(item_id, True, 0.0)
            for item_id in item_order
            if item_id not in seen and item_id not in hidden
        ]
        fresh = fresh[: max(0, new_per_day - new_done)]
        return _interleave(reviews, fresh)

    def _lowest_recall(self, known: set[str], limit: int, moment: datetime) -> list[QueueItem]:
        """The `limit` due reviews of `known` items that sorting `due()` by (recall, due, id) keeps.

        fsrs's recall is (1 + F·d/S)^D with F > 0 > D and d the elapsed whole days, so it falls as
        d/S rises: SQLite sorts by d/S and recall is computed only for the rows kept, instead of
        building a DueItem for every due card. Rows whose d/S is within rounding of the last kept
        one may still tie or swap on recall, so they are all re-sorted on the exact key.
        """
        if limit <= 0:
            return []
        now_us = clock.to_us(moment)
        candidates: list[tuple[str, int, float | None, int | None]] = []
        boundary: float | None = None
        with self._lock:
            try:
                cursor = self._conn.execute(_LOWEST_RECALL_SQL, (now_us, now_us))
                for item_id, due_us, stability, last_review_us, ratio in cursor:
                    if item_id not in known:
                        continue
                    if len(candidates) >= limit and not _near_tie(ratio, boundary):
                        break
                    candidates.append((item_id, due_us, stability, last_review_us))
                    if len(candidates) == limit:
                        boundary = ratio
                cursor.close()
            except sqlite3.Error as exc:
                raise StoreError(f"could not read {self.path}: {exc}") from None
        recall = self._recall_at(moment)
        ranked = sorted(
            (recall(stability, last_review_us), due_us, item_id)
            for item_id, due_us, stability, last_review_us in candidates
        )
        return [QueueItem(item_id, False, recall) for recall, _due_us, item_id in ranked[:limit]]


_DAY_US = 86_400_000_000
_NOT_SUSPENDED = "item_id NOT IN (SELECT item_id FROM marks WHERE mark = 'suspended')"
_STATE_NAMES = {int(state): state.name.lower() for state in State}
"""fsrs state number → "learning", "review" or "relearning"."""

_LOWEST_RECALL_SQL = (
    "SELECT item_id, due_us, stability, last_review_us, "
    "CASE WHEN stability IS NULL OR last_review_us IS NULL THEN NULL "
    "ELSE MAX(0, (? - last_review_us) / 86400000000) * 1.0 / stability END AS ratio "
    "FROM cards WHERE card IS NOT NULL AND due_us <= ? "
    # A card without stability has recall 0 (fsrs), so it comes first; then lowest recall.
    "ORDER BY ratio IS NOT NULL, ratio DESC, due_us, item_id"
)
"""Due reviews, lowest recall first: elapsed whole days (floored, as fsrs does) over stability."""

_TIE_TOLERANCE = 1e-6
"""Relative gap in days/stability beyond which fsrs's floating-point recall cannot tie or swap."""


def _near_tie(ratio: float | None, boundary: float | None) -> bool:
    """`ratio` (sorted after `boundary`) may still have the same recall as the boundary row."""
    if boundary is None:
        return ratio is None
    return ratio is not None and ratio >= boundary * (1 - _TIE_TOLERANCE)


@dataclass(frozen=True)
class _RecallView:
    """The two card fields fsrs needs for a retrievability."""

    stability: float
    last_review: datetime


def _interleave(reviews: list[QueueItem], fresh: list[QueueItem]) -> list[QueueItem]:
    """Spread new items evenly through the reviews, so new material comes alongside them."""
    if not fresh:
        return reviews
    if not reviews:
        return fresh
    merged: list[QueueItem] = []
    step = (len(reviews) + 1) / (len(fresh) + 1)
    slots = {round(step * (index + 1)) for index in range(len(fresh))}
    pending = iter(fresh)
    for position, review in enumerate(reviews):
        if position in slots:
            merged.append(next(pending))
        merged.append(review)
    merged.extend(pending)
    return merged
