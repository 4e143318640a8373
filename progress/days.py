"""Study days: a day runs from `day_starts_hour` local time to the same hour the next day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache


def study_date(at: datetime, hour: int, tz: tzinfo | None = None) -> date:
    """The study day `at` belongs to (local time; before `hour` counts as the day before)."""
    local = at.astimezone(tz) if tz is not None else at.astimezone()
    return (local.replace(tzinfo=None) - timedelta(hours=hour)).date()


def start_of(day: date, hour: int, tz: tzinfo | None = None) -> datetime:
    """UTC instant at which study day `day` begins."""
    wall = datetime.combine(day, time(hour))
    # A naive datetime's astimezone() reads it as system local time, DST included.
    local = wall.replace(tzinfo=tz) if tz is not None else wall.astimezone()
    return local.astimezone(timezone.utc)


def day_start(at: datetime, hour: int, tz: tzinfo | None = None) -> datetime:
    """UTC start of the study day containing `at`."""
    return start_of(study_date(at, hour, tz), hour, tz)


def next_day_start(at: datetime, hour: int, tz: tzinfo | None = None) -> datetime:
    """UTC start of the study day after the one containing `at`."""
    return start_of(study_date(at, hour, tz) + timedelta(days=1), hour, tz)


@lru_cache(maxsize=128)
def fixed_zone(offset_minutes: int) -> tzinfo:
    """A fixed-offset zone, for replaying a logged attempt in the learner's time of then."""
    return timezone(timedelta(minutes=offset_minutes))
