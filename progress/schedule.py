"""FSRS scheduling: ratings from grades, showings, study days, and replaying an item's log.

The unit of scheduling is a *showing*: one presentation of an item, from its first submission to the
last one logged under the same showing UUID. Its attempts fold into one rating (that of its latest
attempt in force, or the learner's override of it), and fsrs sees one review per showing.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache

import fsrs.scheduler as fsrs_scheduler
from fsrs import Card, Scheduler, State
from fsrs import Rating as FsrsRating
from fsrs.scheduler import DEFAULT_PARAMETERS

from progress.days import entry_zone, start_of, study_date
from progress.entry import EARLIEST, LATEST, LogEntry
from progress.rating import Rating

RULES = "showings-1"
"""Names the replay rules below: cached cards made under other rules are rebuilt on open."""

LEECH_LAPSES = 8
"""Lapses (a review-state card answered wrong) after which an item is flagged as a leech."""

AGAIN, HARD, GOOD, EASY = Rating.Again, Rating.Hard, Rating.Good, Rating.Easy

SHORT_STEP_PER_PAR = 3
"""A (re)learning step lasts this many times the exercise's par time, within the bounds below."""
SHORT_STEP_MIN = timedelta(minutes=15)
SHORT_STEP_MAX = timedelta(hours=3)
NEXT_DAY_STEP = timedelta(days=1)
"""New items' second learning step: a first success comes back the next study day."""

_MAX_SAME_DAY = timedelta(hours=23, minutes=59)


def short_step(par_s: int) -> timedelta:
    """The (re)learning step for an exercise of `par_s` seconds, in whole minutes."""
    step = timedelta(seconds=SHORT_STEP_PER_PAR * max(0, par_s))
    step = min(max(step, SHORT_STEP_MIN), SHORT_STEP_MAX)
    return timedelta(minutes=round(step.total_seconds() / 60))


@lru_cache(maxsize=64)
def _scheduler(
    parameters: tuple[float, ...], retention: float, step_s: int, fuzz: bool
) -> Scheduler:
    step = timedelta(seconds=step_s)
    return Scheduler(
        parameters=parameters,
        desired_retention=retention,
        learning_steps=(step, NEXT_DAY_STEP),
        relearning_steps=(step,),
        enable_fuzzing=fuzz,
    )


@dataclass(frozen=True)
class ScheduleConfig:
    """What the scheduler needs from the learner's settings."""

    desired_retention: float = 0.9
    day_starts_hour: int = 4
    parameters: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)
    fuzz: bool = False
    """Spread review intervals a little (fsrs's fuzz), seeded per card so replays agree."""

    def scheduler(self, par_s: int = 0) -> Scheduler:
        """The fsrs scheduler for an exercise of `par_s` seconds (its steps fit the exercise)."""
        step_s = int(short_step(par_s).total_seconds())
        return _scheduler(tuple(self.parameters), self.desired_retention, step_s, self.fuzz)

    def fingerprint(self) -> str:
        """Changes whenever cached card states would replay differently."""
        return json.dumps(
            [RULES, self.desired_retention, self.day_starts_hour, list(self.parameters), self.fuzz]
        )


def card_id_for(item_id: str) -> int:
    """A stable FSRS card ID for an exercise or lab ID (53 bits, so JSON readers keep it exact)."""
    digest = hashlib.sha256(item_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 53) - 1)


def rating_for(
    correct: bool,
    hints_used: int,
    attempts: int,
    duration_s: float,
    par_seconds: float,
    gave_up: bool,
) -> Rating:
    """A showing so far: wrong or gave up → Again; right after hints or tries → Hard; right → Good;
    right at the first try in under half the par time → Easy."""
    if gave_up or not correct:
        return AGAIN
    if hints_used > 0 or attempts > 1:
        return HARD
    if par_seconds > 0 and duration_s < par_seconds / 2:
        return EASY
    return GOOD


@dataclass(frozen=True)
class ShowingResult:
    """What one showing did to its item's schedule."""

    showing: str
    """The showing's UUID (its first attempt's UUID when it was logged without one)."""
    start: datetime
    end: datetime
    attempts: tuple[str, ...]
    """UUIDs of the attempts in force, oldest first."""
    rating: Rating
    """The rating the showing counted with (or would have, for practice)."""
    counted: bool
    """Whether it changed the schedule (False: a pass on an item that was not due)."""
    was_due: bool
    """Whether the item was due when the showing started."""
    lapse: bool
    """A fail of a card in the Review state (not due, or due)."""
    due: datetime | None
    """When the item was due after this showing."""


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
    """Attempt UUID → whether its showing changed the schedule (False: practice)."""
    ratings: dict[str, int] = field(default_factory=dict)
    """Attempt UUID → the rating of its showing in force (its own or the latest override)."""
    showing_of: dict[str, str] = field(default_factory=dict)
    """Attempt UUID → its showing's UUID."""
    showings: list[ShowingResult] = field(default_factory=list)
    variants: set[int] = field(default_factory=set)
    """Every variant shown, undone attempts included."""
    review_results: list[tuple[datetime, bool]] = field(default_factory=list)
    """(time, passed) of each counted review of a card already in the Review state."""
    first_attempt: datetime | None = None
    last_attempt: datetime | None = None

    @property
    def leech(self) -> bool:
        """Lapsed often enough that the worked solution and a fresh variant beat more reviews."""
        return self.lapses >= LEECH_LAPSES


def is_due(card: Card | None, at: datetime) -> bool:
    """Whether a showing starting at `at` counts: new items always, others once their due time is
    reached (a review's due time is the start of its study day, so reviews fall due by the day)."""
    return card is None or at >= card.due


def elapsed_days(
    earlier: datetime, earlier_zone: tzinfo, later: datetime, later_zone: tzinfo, hour: int
) -> int:
    """Study days between two instants, each read in its own zone (Anki's day count)."""
    return (study_date(later, hour, later_zone) - study_date(earlier, hour, earlier_zone)).days


def as_fsrs_sees(card: Card, at: datetime, days: int) -> Card:
    """`card` with its last review moved so that fsrs counts `days` elapsed days at `at`.

    fsrs counts whole 24-hour periods; the tutor counts study days, so a next-morning review of a
    one-day card is one day later, not "the same day"."""
    if card.last_review is None:
        return card
    if days >= 1:
        moved = at - timedelta(days=days)
    else:
        moved = at - min(at - card.last_review, _MAX_SAME_DAY)
    return replace(card, last_review=moved) if moved != card.last_review else card


def due_by_day(card: Card, at: datetime, zone: tzinfo, hour: int) -> Card:
    """A card scheduled a day or more ahead falls due at the start of that study day, in `zone`."""
    wait = card.due - at
    if wait < timedelta(days=1) and card.state != State.Review:
        return card
    days = max(1, round(wait / timedelta(days=1)))
    day: date = study_date(at, hour, zone) + timedelta(days=days)
    return replace(card, due=start_of(day, hour, zone))


_FUZZ_LOCK = threading.Lock()


@contextmanager
def _seeded_fuzz(card_id: int, reps: int) -> Iterator[None]:
    """fsrs draws its fuzz from its module's `random()`: give it one seeded per card and review."""
    rng = random.Random(f"{card_id}:{reps}")
    with _FUZZ_LOCK:
        saved = fsrs_scheduler.random
        fsrs_scheduler.random = rng.random
        try:
            yield
        finally:
            fsrs_scheduler.random = saved


def review(
    config: ScheduleConfig,
    card: Card,
    rating: int,
    at: datetime,
    zone: tzinfo,
    previous_zone: tzinfo,
    par_s: int,
    reps: int,
) -> Card:
    """One fsrs review under the tutor's day rules: elapsed study days in, due by study day out."""
    hour = config.day_starts_hour
    days = 0
    if card.last_review is not None:
        days = elapsed_days(card.last_review, previous_zone, at, zone, hour)
    seen = as_fsrs_sees(card, at, days)
    scheduler = config.scheduler(par_s)
    if config.fuzz:
        with _seeded_fuzz(card.card_id, reps):
            after, _ = scheduler.review_card(seen, FsrsRating(rating), review_datetime=at)
    else:
        after, _ = scheduler.review_card(seen, FsrsRating(rating), review_datetime=at)
    return due_by_day(after, at, zone, hour)


def _showings(ordered: list[LogEntry], undone: set[str]) -> list[list[LogEntry]]:
    """Attempts in force grouped by showing, each oldest first, showings by their first attempt."""
    groups: dict[str, list[LogEntry]] = {}
    for entry in ordered:
        if entry.kind == "attempt" and entry.uuid not in undone:
            groups.setdefault(entry.showing or entry.uuid, []).append(entry)
    return sorted(groups.values(), key=lambda group: (group[0].at, group[0].uuid))


def replay(item_id: str, entries: list[LogEntry], config: ScheduleConfig) -> ItemState:
    """Rebuild one item's card by feeding its showings, in time order, through fsrs.

    Entries order by time, then UUID, so two machines holding the same entries replay them alike.
    """
    # Times no tutor wrote (an old import let them in) are left out rather than break the replay.
    ordered = sorted(
        (entry for entry in entries if EARLIEST <= entry.at < LATEST),
        key=lambda entry: (entry.at, entry.uuid),
    )
    undone = {entry.target for entry in ordered if entry.kind == "undo"}
    overrides = {entry.target: entry.rating for entry in ordered if entry.kind == "override"}
    state = ItemState(item_id)
    for entry in ordered:
        if entry.kind == "attempt":
            state.variants.add(entry.variant)  # an undone attempt's variant was still seen
    previous_zone: tzinfo | None = None
    for attempts in _showings(ordered, undone):
        first, last = attempts[0], attempts[-1]
        key = first.showing or first.uuid
        overridden = last.uuid in overrides
        rating = Rating(overrides.get(last.uuid, last.rating))
        if state.card is None and not overridden and rating == EASY:
            rating = GOOD  # a first solve is learning, not recall: it never skips the steps
        zone = entry_zone(last.tz, last.utc_offset_min)
        was_due = is_due(state.card, first.at)
        counted = was_due or rating == AGAIN
        lapse = False
        if counted:
            card = state.card or Card(card_id=card_id_for(item_id), due=first.at)
            lapse = state.card is not None and card.state == State.Review and rating == AGAIN
            if state.card is not None and card.state == State.Review:
                state.review_results.append((first.at, rating != AGAIN))
            state.card = review(
                config, card, rating, last.at, zone, previous_zone or zone, last.par_s, state.reps
            )
            previous_zone = zone
            state.reps += 1
            state.lapses += lapse
        uuids = tuple(entry.uuid for entry in attempts)
        for uuid in uuids:
            state.counted[uuid] = counted
            state.ratings[uuid] = rating
            state.showing_of[uuid] = key
        state.attempts += len(attempts)
        state.first_attempt = state.first_attempt or first.at
        state.last_attempt = last.at
        state.showings.append(
            ShowingResult(
                showing=key,
                start=first.at,
                end=last.at,
                attempts=uuids,
                rating=rating,
                counted=counted,
                was_due=was_due,
                lapse=lapse,
                due=state.card.due if state.card is not None else None,
            )
        )
    return state


def interval_text(now: datetime, due: datetime) -> str:
    """The wait until `due` in words: "now", "in 10 minutes", "in 5 hours", "in 3 days"."""
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
