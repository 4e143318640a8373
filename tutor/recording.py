"""Record graded attempts in the progress store; screens and `tutor check` call these first.

A showing is one presentation of an item. The app opens one when an exercise is opened (its UUID
travels in every `Attempt`); `tutor check` joins a submission to the item's open showing of the
last 30 minutes (neither solved nor given up) or starts a new one. Every attempt is committed at
once, and the showing's rating so far is what the schedule uses.
"""

from __future__ import annotations

import threading
import uuid as uuid_module
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from progress import clock
from progress.days import next_day_start, study_date
from progress.log import Undone
from progress.rating import Rating
from progress.schedule import ScheduleConfig, interval_text, rating_for
from progress.store import RecordResult, Store
from tutor.practice.outcome import Attempt, Recorded
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.course.loader import Course

LAST_CLI_ATTEMPT_KEY = "cli.last_attempt"
"""Settings key of the latest attempt `tutor check` logged here (what `tutor undo` takes back)."""

_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def schedule_config(settings: Settings) -> ScheduleConfig:
    """The scheduler settings a Store needs, from the learner's Settings."""
    return ScheduleConfig(
        desired_retention=settings.desired_retention,
        day_starts_hour=settings.day_starts_hour,
        fuzz=settings.fuzz,
    )


def open_store(settings: Settings) -> Store:
    """The process-wide Store for `settings.db_path` (opened once, then shared); StoreError."""
    path = settings.db_path
    config = schedule_config(settings)
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = Store.open(path, config)
            _stores[path] = store
        elif (store.config.desired_retention, store.config.day_starts_hour, store.config.fuzz) != (
            config.desired_retention,
            config.day_starts_hour,
            config.fuzz,
        ):
            store.set_config(config)
        return store


def close_stores() -> None:
    """Close every Store this process opened (tests, and the app on exit)."""
    with _stores_lock:
        for store in _stores.values():
            store.close()
        _stores.clear()


def new_showing() -> str:
    """A fresh showing UUID, for a screen that has just opened an item."""
    return str(uuid_module.uuid4())


def due_text(now: datetime, due: datetime, day_starts_hour: int) -> str:
    """When an item is next due, in words: "now", "in 20 minutes", "tomorrow (Tue 3 Mar)"."""
    if due < next_day_start(now, day_starts_hour):
        return interval_text(now, due)
    days = (study_date(due, day_starts_hour) - study_date(now, day_starts_hour)).days
    local = due.astimezone()
    date_text = f"{local:%a} {local.day} {local:%b}" + (
        "" if local.year == now.year else f" {local.year}"
    )
    if days <= 1:
        return f"tomorrow ({date_text})"
    if days < 60:
        return f"in {days} days ({date_text})"
    return f"{interval_text(now, due)} ({date_text})"


def schedule_text(recorded: Recorded) -> str:
    """Whether the attempt changed the schedule, and when the item is next due."""
    when = recorded.interval_text
    if not recorded.counted:
        return f"practice (the item was not due): schedule unchanged, next review {when}"
    if not recorded.was_due:
        return f"not due yet but failed: counted as a lapse, next review {when}"
    return f"schedule changed: next review {when}"


def _recorded(result: RecordResult, day_starts_hour: int) -> Recorded:
    recorded = Recorded(
        uuid=result.uuid,
        rating=Rating(result.rating),
        due=result.due,
        interval_text=due_text(clock.now(), result.due, day_starts_hour),
        counted=result.counted,
        leech=result.leech,
        showing=result.showing,
        attempt_number=result.attempt_number,
        was_due=result.was_due,
        lapse=result.lapse,
    )
    return replace(recorded, schedule_text=schedule_text(recorded))


def record_attempt(settings: Settings, attempt: Attempt) -> Recorded:
    """Log a graded attempt (committed on return), rate its showing and reschedule the item.

    An attempt without a showing UUID (`tutor check`) joins the item's open showing of this sitting,
    if there is one, as its next submission."""
    store = open_store(settings)
    showing, number = attempt.showing, attempt.attempts
    if not showing:
        joined = store.open_showing(attempt.item_id, clock.now())
        if joined is not None:
            showing, number = joined.showing, joined.attempts + 1
    rating = rating_for(
        attempt.correct,
        attempt.hints_used,
        number,
        attempt.duration_s,
        attempt.par_seconds,
        attempt.gave_up,
    )
    result = store.record(
        attempt.item_id,
        variant=attempt.variant,
        correct=attempt.correct,
        rating=rating,
        hints_used=attempt.hints_used,
        attempts=number,
        duration_ms=round(attempt.duration_s * 1000),
        gave_up=attempt.gave_up,
        showing=showing,
        par_s=attempt.par_seconds,
    )
    return _recorded(result, settings.day_starts_hour)


def remember_cli_attempt(settings: Settings, recorded: Recorded) -> None:
    """Keep the UUID of `tutor check`'s latest attempt, for a later `tutor undo`."""
    open_store(settings).set_setting(LAST_CLI_ATTEMPT_KEY, recorded.uuid)


def last_cli_attempt(settings: Settings) -> str | None:
    """The UUID of the latest attempt `tutor check` logged here, or None."""
    value = open_store(settings).get_setting(LAST_CLI_ATTEMPT_KEY)
    return value if isinstance(value, str) and value else None


def override_rating(settings: Settings, uuid: str, rating: Rating) -> Recorded:
    """Replace the rating of a logged attempt's showing (keys 1-4, --rating); the log keeps both."""
    return _recorded(open_store(settings).override(uuid, rating), settings.day_starts_hour)


def undo(settings: Settings, uuid: str) -> Undone:
    """Cancel the attempt (or every attempt of the showing) with this UUID; StoreError if none."""
    return open_store(settings).undo(uuid)


def course_items(course: Course) -> list[str]:
    """Every exercise and lab ID in study order: section by section, exercises before labs."""
    from tutor.course.exercise_schema import Lab

    order: list[str] = []
    for chapter in course.chapters:
        for section in chapter.sections:
            items = chapter.items_in(section.id)
            order += [item.id for item in items if not isinstance(item, Lab)]
            order += [item.id for item in items if isinstance(item, Lab)]
    return order


def lab_ids(course: Course) -> set[str]:
    """The IDs of every lab in the course."""
    from tutor.course.exercise_schema import Lab

    return {
        item.id
        for chapter in course.chapters
        for section in chapter.sections
        for item in chapter.items_in(section.id)
        if isinstance(item, Lab)
    }


def left_out_of_reviews(course: Course, store: Store) -> set[str]:
    """Labs the learner has not added to the reviews: they stay out of the due list and queue."""
    return lab_ids(course) - store.marked("added")


def section_items(course: Course) -> dict[str, list[str]]:
    """Section ID → the IDs of its exercises and labs (what mastery is measured over)."""
    return {
        section.id: [item.id for item in chapter.items_in(section.id)]
        for chapter in course.chapters
        for section in chapter.sections
    }


def section_of(course: Course) -> dict[str, str]:
    """Exercise or lab ID → the ID of the section it belongs to."""
    return {item: section for section, items in section_items(course).items() for item in items}


def record_check(settings: Settings, attempt: Attempt, rating: Rating | None = None) -> Recorded:
    """`tutor check`'s attempt: recorded (joining the sitting's showing), rated `rating` when the
    learner gave one (--rating), and remembered for a later `tutor undo`."""
    recorded = record_attempt(settings, attempt)
    if rating is not None:
        recorded = override_rating(settings, recorded.uuid, rating)
    remember_cli_attempt(settings, recorded)
    return recorded


def check_text(recorded: Recorded, item_id: str, next_variant: int | None = None) -> str:
    """What `tutor check` prints about the recording: rating, showing, schedule, leech advice."""
    lines = [
        f"Rated {recorded.rating.label} (showing {recorded.showing[:8]}, attempt "
        f"{recorded.attempt_number}); {recorded.schedule_text}.",
    ]
    if recorded.leech:
        variant = f" --variant {next_variant}" if next_variant is not None else ""
        lines.append(
            f"{item_id} is a leech (it has lapsed 8 times or more): study its worked solution, "
            "then "
            f"try a fresh variant: tutor show {item_id}{variant}"
        )
    lines.append(f"Not what you meant? tutor undo {recorded.uuid}")
    return "\n".join(lines)


def check_json(recorded: Recorded) -> dict[str, object]:
    """The recording's part of `tutor check --json`."""
    return {
        "rating": int(recorded.rating),
        "rating_name": recorded.rating.label,
        "attempt": recorded.uuid,
        "showing": recorded.showing,
        "attempt_in_showing": recorded.attempt_number,
        "schedule_changed": recorded.counted,
        "was_due": recorded.was_due,
        "lapse": recorded.lapse,
        "leech": recorded.leech,
        "due": recorded.due.isoformat(),
        "next_review": recorded.interval_text,
    }


def next_variant(settings: Settings, item_id: str) -> int | None:
    """A variant of `item_id` the learner has not tried (None when the store cannot say)."""
    from progress.store import StoreError

    try:
        return open_store(settings).next_variant(item_id)
    except StoreError:
        return None
