"""Record graded attempts in the progress store; screens call these before showing a verdict."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from progress import clock
from progress.rating import Rating
from progress.schedule import ScheduleConfig, interval_text, rating_for
from progress.store import RecordResult, Store
from tutor.practice.outcome import Attempt, Recorded
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.course.loader import Course

_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def schedule_config(settings: Settings) -> ScheduleConfig:
    """The scheduler settings a Store needs, from the learner's Settings."""
    return ScheduleConfig(
        desired_retention=settings.desired_retention, day_starts_hour=settings.day_starts_hour
    )


def open_store(settings: Settings) -> Store:
    """The process-wide Store for `settings.db_path` (opened once, then shared); raises StoreError."""
    path = settings.db_path
    config = schedule_config(settings)
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = Store.open(path, config)
            _stores[path] = store
        elif store.config.desired_retention != config.desired_retention or (
            store.config.day_starts_hour != config.day_starts_hour
        ):
            store.set_config(config)
        return store


def close_stores() -> None:
    """Close every Store this process opened (tests, and the app on exit)."""
    with _stores_lock:
        for store in _stores.values():
            store.close()
        _stores.clear()


def _recorded(result: RecordResult) -> Recorded:
    return Recorded(
        uuid=result.uuid,
        rating=Rating(result.rating),
        due=result.due,
        interval_text=interval_text(clock.now(), result.due),
        counted=result.counted,
        leech=result.leech,
    )


def record_attempt(settings: Settings, attempt: Attempt) -> Recorded:
    """Log a graded attempt (committed on return), rate it from the grade and reschedule the item."""
    rating = rating_for(
        attempt.correct,
        attempt.hints_used,
        attempt.attempts,
        attempt.duration_s,
        attempt.par_seconds,
        attempt.gave_up,
    )
    result = open_store(settings).record(
        attempt.item_id,
        variant=attempt.variant,
        correct=attempt.correct,
        rating=rating,
        hints_used=attempt.hints_used,
        attempts=attempt.attempts,
        duration_ms=round(attempt.duration_s * 1000),
        gave_up=attempt.gave_up,
    )
    return _recorded(result)


def override_rating(settings: Settings, uuid: str, rating: Rating) -> Recorded:
    """Replace the rating of a logged attempt (keys 1-4); the log keeps both."""
    return _recorded(open_store(settings).override(uuid, rating))


def undo_last(settings: Settings) -> str | None:
    """Cancel the latest attempt still in force; its UUID, or None when there is nothing to undo."""
    return open_store(settings).undo_last()


def course_items(course: Course) -> list[str]:
    """Every exercise and lab ID in study order: section by section, exercises before the labs built on them."""
    from tutor.course.exercise_schema import Lab

    order: list[str] = []
    for chapter in course.chapters:
        for section in chapter.sections:
            items = chapter.items_in(section.id)
            order += [item.id for item in items if not isinstance(item, Lab)]
            order += [item.id for item in items if isinstance(item, Lab)]
    return order


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
