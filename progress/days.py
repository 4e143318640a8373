"""Study days: a day runs from `day_starts_hour` local time to the same hour the next day."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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


@lru_cache(maxsize=64)
def named_zone(name: str) -> tzinfo | None:
    """The IANA zone called `name`, or None when this machine's zone database does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def entry_zone(name: str, offset_minutes: int) -> tzinfo:
    """The zone a log entry was made in: its IANA zone, else (older entries) its UTC offset."""
    zone = named_zone(name) if name else None
    return zone if zone is not None else fixed_zone(offset_minutes)


def local_zone_name() -> str:
    """This machine's IANA zone name (`TZ`, /etc/localtime, /etc/timezone), or "" if unknown."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    if os.environ.get("TZ"):
        candidates = candidates[:1]  # TZ rules the local time, so only its own name can describe it
    for name in candidates:
        if name and not name.startswith("/") and named_zone(name) is not None:
            return name
    return ""
