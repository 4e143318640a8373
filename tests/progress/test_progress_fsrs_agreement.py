"""Study patterns replayed through the tutor and through the `fsrs` package directly agree.

The reference below uses fsrs alone, with the tutor's documented rules: one review per showing,
(re)learning steps of 3× the exercise's par time (15 min to 3 h) then one day, a first showing
never rated Easy, a pass on an item not due is practice and a fail is a lapse, elapsed time counted
in study days (4 am local, the entry's own IANA zone), and cards due a day or more ahead falling
due at the start of that study day.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import FUZZ_RANGES

from progress.clock import parse_instant
from progress.logio import export_log, import_log
from progress.schedule import ScheduleConfig, card_id_for
from progress.store import Store

HOUR = 4
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


def _day(at: datetime, zone: str) -> date:
    return (at.astimezone(ZoneInfo(zone)).replace(tzinfo=None) - timedelta(hours=HOUR)).date()


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(HOUR), ZoneInfo(zone)).astimezone(timezone.utc)


@dataclass
class Reference:
    """One item scheduled by fsrs directly, showing by showing."""

    item_id: str
    par_s: int = 180
    card: Card | None = None
    zone_of_last: str = "UTC"
    lapses: int = 0
    log: list[tuple[datetime, int, bool]] = field(default_factory=list)

    def scheduler(self) -> Scheduler:
        step = min(
            max(timedelta(seconds=3 * self.par_s), timedelta(minutes=15)), timedelta(hours=3)
        )
        return Scheduler(
            learning_steps=(step, timedelta(days=1)), relearning_steps=(step,), enable_fuzzing=False
        )

    def show(self, start: datetime, end: datetime, rating: int, zone: str) -> bool:
        """A showing from `start` to `end` whose attempts came to `rating`; whether it counted."""
        if self.card is None and rating == Rating.Easy:
            rating = Rating.Good
        due = self.card is None or start >= self.card.due
        if not due and rating != Rating.Again:
            self.log.append((start, rating, False))
            return False
        card = self.card or Card(card_id=card_id_for(self.item_id), due=start)
        if self.card is not None and card.state == State.Review and rating == Rating.Again:
            self.lapses += 1
        if card.last_review is not None:
            days = (_day(end, zone) - _day(card.last_review, self.zone_of_last)).days
            moved = (
                end - timedelta(days=days)
                if days >= 1
                else end - min(end - card.last_review, timedelta(hours=23, minutes=59))
            )
            card = replace(card, last_review=moved)
        card, _ = self.scheduler().review_card(card, Rating(rating), review_datetime=end)
        wait = card.due - end
        if card.state == State.Review or wait >= timedelta(days=1):
            days_ahead = max(1, round(wait / timedelta(days=1)))
            card = replace(card, due=_day_start(_day(end, zone) + timedelta(days=days_ahead), zone))
        self.card, self.zone_of_last = card, zone
        self.log.append((start, rating, True))
        return True


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "progress.sqlite3")
    yield opened
    opened.close()


def _same(store: Store, reference: Reference) -> None:
    card = store.card(reference.item_id)
    expected = reference.card
    assert (card is None) == (expected is None)
    if card is None or expected is None:
        return
    assert card.state == expected.state and card.step == expected.step
    assert card.due == expected.due and card.last_review == expected.last_review
    assert card.stability == pytest.approx(expected.stability, rel=1e-12)
    assert card.difficulty == pytest.approx(expected.difficulty, rel=1e-12)
    assert store.item_state(reference.item_id).lapses == reference.lapses


def _showing(
    store: Store,
    item: str,
    start: datetime,
    tries: list[bool],
    zone: str,
    gap: timedelta,
    par_s: int = 180,
) -> tuple[datetime, int]:
    """Log one showing (wrong tries, then maybe a right one) like a screen; its end and rating."""
    showing = str(uuid.uuid4())
    at = start
    rating = Rating.Again
    for number, correct in enumerate(tries, start=1):
        rating = Rating.Again if not correct else (Rating.Hard if number > 1 else Rating.Good)
        store.record(
            item,
            variant=number,
            correct=correct,
            rating=rating,
            attempts=number,
            at=at,
            tz=zone,
            showing=showing,
            par_s=par_s,
        )
        end = at
        at += gap
    return end, rating


def test_retries_fold_into_one_review_and_keep_the_schedule_healthy(store: Store) -> None:
    """Three wrong tries and a right one within ten minutes: one Hard review, as fsrs gives it."""
    reference = Reference("1.ex7")
    start = parse_instant("2026-03-02T09:00:00+01:00")
    end, rating = _showing(
        store, "1.ex7", start, [False, False, False, True], BERLIN, timedelta(minutes=3)
    )
    assert rating == Rating.Hard
    reference.show(start, end, rating, BERLIN)
    _same(store, reference)
    at, intervals = end, []
    for _ in range(5):  # on-time Good showings from then on
        due = store.card("1.ex7").due
        at = due + timedelta(hours=5)
        end, _ = _showing(store, "1.ex7", at, [True], BERLIN, timedelta(minutes=2))
        reference.show(at, end, Rating.Good, BERLIN)
        _same(store, reference)
        intervals.append((store.card("1.ex7").due - at).days)
    assert intervals[-1] > 30 and intervals == sorted(intervals)  # not "1, 1, 1, 2"
    card = store.card("1.ex7")
    assert card is not None and card.difficulty is not None and card.difficulty < 9


def test_not_due_failures_are_lapses_and_not_due_passes_are_practice(store: Store) -> None:
    reference = Reference("1.ex7", par_s=600)
    at = parse_instant("2026-03-02T09:00:00+01:00")
    pattern = [
        (0, [True]),
        (11, [True]),
        (25, [True]),
        (35, [False]),
        (36, [True]),
        (44, [True]),
        (45, [False, True]),
    ]
    for offset_h, tries in pattern:
        start = at + timedelta(hours=offset_h)
        end, rating = _showing(
            store, "1.ex7", start, tries, BERLIN, timedelta(minutes=5), par_s=600
        )
        counted = reference.show(start, end, rating, BERLIN)
        assert store.item_state("1.ex7").showings[-1].counted == counted
        _same(store, reference)
    # Learned, practice the same evening, reviewed next day; a fail that evening (not due) is a
    # lapse and comes back after the 30-minute relearning step; passes while not due are practice,
    # a wrong try then a right one (Hard, a pass) too.
    assert [counted for _, _, counted in reference.log] == [
        True,
        False,
        True,
        True,
        True,
        False,
        False,
    ]
    assert reference.lapses == 1 == store.item_state("1.ex7").lapses


def test_a_next_morning_review_of_a_one_day_card_counts_a_whole_day(store: Store) -> None:
    """Reviewed in the evening, due the next study day, answered the next morning: fsrs is given one
    elapsed day (Anki's count), not "the same day" because fewer than 24 hours passed."""
    reference = Reference("1.ex2")
    evening = parse_instant("2026-05-04T21:00:00+02:00")
    end, rating = _showing(store, "1.ex2", evening, [True], BERLIN, timedelta(minutes=1))
    reference.show(evening, end, rating, BERLIN)
    morning = parse_instant("2026-05-05T07:30:00+02:00")
    assert store.card("1.ex2").due <= morning
    end, rating = _showing(store, "1.ex2", morning, [True], BERLIN, timedelta(minutes=1))
    reference.show(morning, end, rating, BERLIN)
    _same(store, reference)
    card = store.card("1.ex2")
    assert card.state == State.Review and card.due - morning > timedelta(days=1)
    same_day = Scheduler(
        learning_steps=(timedelta(minutes=15), timedelta(days=1)), enable_fuzzing=False
    )
    naive, _ = same_day.review_card(
        same_day.review_card(
            Card(card_id=1, due=evening),
            Rating.Good,
            review_datetime=end - timedelta(hours=10, minutes=30),
        )[0],
        Rating.Good,
        review_datetime=end,
    )
    assert card.stability is not None and naive.stability is not None
    assert card.stability > naive.stability  # fsrs alone would have called it the same day


DST_DAYS = [
    (BERLIN, date(2026, 3, 29)),
    (BERLIN, date(2026, 10, 25)),
    (NEW_YORK, date(2026, 3, 8)),
    (NEW_YORK, date(2026, 11, 1)),
]


@pytest.mark.parametrize(("zone", "day"), DST_DAYS, ids=[f"{z}-{d}" for z, d in DST_DAYS])
@pytest.mark.parametrize("minute", ["03:59", "04:01"])
def test_the_study_day_of_a_daylight_saving_change(
    store: Store, zone: str, day: date, minute: str
) -> None:
    """An item due on the day of a change falls due at 4 am local that day, not an hour off: at
    03:59 a pass is practice and at 04:01 it is the review, in the tutor and in fsrs alike."""
    tz = ZoneInfo(zone)
    reference = Reference("1.ex3")
    # Learn it so that a review falls due exactly on the DST day.
    first = datetime.combine(day - timedelta(days=1), time(10), tz).astimezone(timezone.utc)
    end, rating = _showing(store, "1.ex3", first, [True], zone, timedelta(minutes=1))
    reference.show(first, end, rating, zone)
    due = store.card("1.ex3").due
    assert due == datetime.combine(day, time(HOUR), tz).astimezone(timezone.utc)
    hours, minutes = map(int, minute.split(":"))
    at = datetime.combine(day, time(hours, minutes), tz).astimezone(timezone.utc)
    assert (store.due(at) != []) == (minute == "04:01")
    end, rating = _showing(store, "1.ex3", at, [True], zone, timedelta(seconds=30))
    counted = reference.show(at, end, rating, zone)
    assert counted == (minute == "04:01") == store.item_state("1.ex3").showings[-1].counted
    _same(store, reference)
    # The next review lands on a study-day start in the zone, whatever the change did to the clock.
    next_due = store.card("1.ex3").due.astimezone(tz)
    assert (next_due.hour, next_due.minute) == (HOUR, 0)


def _random_study(seed: int, store: Store, references: dict[str, Reference]) -> None:
    """120 days of showings on six items in two zones, with retries, give-ups and skipped days."""
    rng = random.Random(seed)
    at = parse_instant("2026-02-01T08:00:00+00:00")
    for _ in range(120):
        at += timedelta(hours=rng.choice([6, 14, 20, 24, 30, 50]), minutes=rng.randrange(60))
        if at > parse_instant("2026-06-01T00:00:00+00:00"):
            break
        for item_id, reference in references.items():
            if rng.random() < 0.4:
                continue
            zone = rng.choice([BERLIN, NEW_YORK])
            tries = [rng.random() < 0.6 for _ in range(rng.randint(1, 4))]
            if True in tries:
                tries = tries[: tries.index(True) + 1]
            start = at + timedelta(minutes=rng.randrange(90))
            end, rating = _showing(
                store,
                item_id,
                start,
                tries,
                zone,
                timedelta(minutes=rng.randint(1, 9)),
                par_s=reference.par_s,
            )
            reference.show(start, end, rating, zone)


def test_four_months_of_random_study_agree_on_every_card_and_survive_export(
    store: Store, tmp_path: Path
) -> None:
    references = {f"1.ex{n}": Reference(f"1.ex{n}", par_s=60 * n * n) for n in range(1, 7)}
    _random_study(11, store, references)
    for reference in references.values():
        _same(store, reference)
    counted = [c for r in references.values() for _, _, c in r.log]
    assert counted.count(False) > 5 and counted.count(True) > 50
    path = tmp_path / "log.jsonl"
    export_log(store, path)
    with Store.open(tmp_path / "other" / "progress.sqlite3") as other:
        import_log(other, path)
        for reference in references.values():
            _same(other, reference)


def test_fuzz_is_seeded_per_card_so_replays_and_other_machines_give_the_same_dates(
    tmp_path: Path,
) -> None:
    plain = Store.open(tmp_path / "plain" / "progress.sqlite3")
    fuzzed = Store.open(tmp_path / "fuzzed" / "progress.sqlite3", ScheduleConfig(fuzz=True))
    try:
        start = parse_instant("2026-03-02T09:00:00+01:00")
        for item in [f"1.ex{n}" for n in range(1, 9)]:
            at = start
            for _ in range(4):  # learn, graduate, then reviews once due in both stores
                for box in (plain, fuzzed):
                    _showing(box, item, at, [True], BERLIN, timedelta(minutes=1))
                at = max(plain.card(item).due, fuzzed.card(item).due) + timedelta(hours=6)
            ours, theirs = fuzzed.card(item), plain.card(item)
            assert ours.stability == theirs.stability and ours.difficulty == theirs.difficulty
            assert theirs.last_review is not None
            wait = (theirs.due - theirs.last_review).days
            # fsrs's own bound: an interval of d days moves by at most 1 + 15 %, 10 %, 5 % of its
            # parts beyond 2.5, 7 and 20 days (plus rounding), each way.
            spread = 1 + sum(
                part["factor"] * max(min(float(wait), part["end"]) - part["start"], 0.0)
                for part in FUZZ_RANGES
            )
            assert abs((ours.due - theirs.due).days) <= round(spread) + 1
        dues = {item: fuzzed.card(item).due for item in [f"1.ex{n}" for n in range(1, 9)]}
        assert len({due - plain.card(item).due for item, due in dues.items()}) > 1  # fuzz is on
        fuzzed.rebuild()
        assert {item: fuzzed.card(item).due for item in dues} == dues
        path = tmp_path / "log.jsonl"
        export_log(fuzzed, path)
        with Store.open(
            tmp_path / "other" / "progress.sqlite3", ScheduleConfig(fuzz=True)
        ) as other:
            import_log(other, path)
            assert {item: other.card(item).due for item in dues} == dues
    finally:
        plain.close()
        fuzzed.close()
