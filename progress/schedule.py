"""FSRS scheduling: ratings from grades, stable card IDs, and replaying an item's log into its card."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import cached_property

from fsrs import Card, Scheduler, State
from fsrs import Rating as FsrsRating
from fsrs.scheduler import DEFAULT_PARAMETERS

from progress.days import fixed_zone, next_day_start
from progress.entry import LogEntry
from progress.rating import Rating

LEECH_LAPSES = 8
"""Lapses (a review-state card answered wrong) after which an item is flagged as a leech."""

AGAIN, HARD, GOOD, EASY = Rating.Again, Rating.Hard, Rating.Good, Rating.Easy


@dataclass(frozen=True)
class ScheduleConfig:
    """What the scheduler needs from the learner's settings."""

    desired_retention: float = 0.9
    day_starts_hour: int = 4
    parameters: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)

    @cached_property
    def scheduler(self) -> Scheduler:
        """The fsrs scheduler; fuzz is off so that replaying a log always gives the same cards."""
        return Scheduler(
            parameters=self.parameters,
            desired_retention=self.desired_retention,
            enable_fuzzing=False,
        )

    def fingerprint(self) -> str:
        """Changes whenever cached card states would replay differently."""
        return json.dumps([self.desired_retention, self.day_starts_hour, list(self.parameters)])


def card_id_for(item_id: str) -> int:
    """A stable FSRS card ID for an exercise or lab ID (53 bits, so JSON readers keep it exact)."""
    digest = hashlib.sha256(item_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 53) - 1)


def rating_for(
    correct: bool, hints_used: int, attempts: int, duration_s: float, par_seconds: float, gave_up: bool
) -> Rating:
    """DESIGN §5: wrong → Again; right after hints or tries → Hard; right fast, first try → Easy."""
    if gave_up or not correct:
        return AGAIN
    if hints_used > 0 or attempts > 1:
        return HARD
    if par_seconds > 0 and duration_s < par_seconds / 2:
        return EASY
    return GOOD


@dataclass
class ItemState:
    """An item's card after replaying its log, and what each attempt did."""

    item_id: str
    card: Card | None = None
    """None while the item has never been reviewed."""
    reps: int = 0
    lapses: int = 0
    attempts: int = 0
    counted: dict[str, bool] = field(default_factory=dict)
    """Attempt UUID → whether it changed the schedule (False: practice ahead of schedule)."""
    ratings: dict[str, int] = field(default_factory=dict)
    """Attempt UUID → the rating in force (its own or the latest override)."""
    variants: set[int] = field(default_factory=set)
    """Every variant shown, undone attempts included."""
    review_results: list[tuple[datetime, bool]] = field(default_factory=list)
    """(time, passed) of each counted review of a card already in the Review state."""
    first_attempt: datetime | None = None
    last_attempt: datetime | None = None

    @property
    def leech(self) -> bool:
        """Lapsed often enough that re-reading its section beats more reviews."""
        return self.lapses >= LEECH_LAPSES


def is_due(card: Card | None, at: datetime, day_starts_hour: int, tz: tzinfo | None = None) -> bool:
    """Whether reviewing at `at` counts: new items always; learning steps by the minute; reviews by the day."""
    if card is None:
        return True
    if card.state in (State.Learning, State.Relearning) or at >= card.due:
        return at >= card.due
    if card.due - at > timedelta(days=1, hours=2):
        return False  # cheap answer before working out the local day (a DST day is 25 h)
    return card.due < next_day_start(at, day_starts_hour, tz)


def replay(item_id: str, entries: list[LogEntry], config: ScheduleConfig) -> ItemState:
    """Rebuild one item's card by feeding its effective attempts, in time order, through fsrs.

    `entries` come in log (insertion) order: entries sharing a time keep that order, so with a frozen
    clock the later of two overrides of one attempt still wins (random UUIDs must not decide it).
    """
    ordered = sorted(entries, key=lambda entry: entry.at)  # stable: ties keep insertion order
    undone = {entry.target for entry in ordered if entry.kind == "undo"}
    overrides = {entry.target: entry.rating for entry in ordered if entry.kind == "override"}
    state = ItemState(item_id)
    scheduler = config.scheduler
    for entry in ordered:
        if entry.kind != "attempt":
            continue
        # The learner saw an undone attempt's variant, so it stays used.
        state.variants.add(entry.variant)
        if entry.uuid in undone:
            continue
        rating = overrides.get(entry.uuid, entry.rating)
        state.attempts += 1
        state.ratings[entry.uuid] = rating
        state.first_attempt = state.first_attempt or entry.at
        state.last_attempt = entry.at
        zone = fixed_zone(entry.utc_offset_min)
        if not is_due(state.card, entry.at, config.day_starts_hour, zone):
            state.counted[entry.uuid] = False
            continue
        card = state.card or Card(card_id=card_id_for(item_id), due=entry.at)
        if card.state == State.Review and state.card is not None:
            state.review_results.append((entry.at, rating != AGAIN))
            state.lapses += rating == AGAIN
        state.card, _ = scheduler.review_card(
            card, FsrsRating(rating), review_datetime=entry.at, review_duration=entry.duration_ms
        )
        state.reps += 1
        state.counted[entry.uuid] = True
    return state


def interval_text(now: datetime, due: datetime) -> str:
    """The wait until `due` in words: "now", "in 10 minutes", "in 5 hours", "tomorrow", "in 3 days"."""
    wait = due - now
    if wait <= timedelta(seconds=30):
        return "now"
    minutes = round(wait.total_seconds() / 60)
    if minutes < 60:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(wait.total_seconds() / 3600)
    if hours < 24:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    days = round(wait.total_seconds() / 86400)
    if days == 1:
        return "tomorrow"
    if days < 60:
        return f"in {days} days"
    months = round(days / 30.4)
    if months < 24:
        return f"in {months} months"
    return f"in {round(days / 365.25)} years"
