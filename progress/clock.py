"""The current time as an aware UTC datetime; `TUTOR_NOW` (ISO 8601 with offset) overrides it."""

from __future__ import annotations

import os
from datetime import datetime, timezone


class ClockError(ValueError):
    """`TUTOR_NOW` is set but is not an ISO 8601 time with a UTC offset."""


def parse_instant(text: str, origin: str = "time") -> datetime:
    """An ISO 8601 time with an offset (or `Z`), converted to UTC."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ClockError(f"{origin}: {text!r} is not an ISO 8601 time") from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ClockError(
            f"{origin}: {text!r} has no UTC offset (write e.g. 2026-03-01T09:00:00+01:00)"
        )
    return moment.astimezone(timezone.utc)


def now() -> datetime:
    """Aware UTC now, or `TUTOR_NOW` when set (tests and simulated study)."""
    override = os.environ.get("TUTOR_NOW", "")
    if override:
        return parse_instant(override, "TUTOR_NOW")
    return datetime.now(timezone.utc)


def to_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (how the store keeps times)."""
    delta = moment.astimezone(timezone.utc) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(micros: int) -> datetime:
    """The aware UTC datetime of `to_us`'s integer."""
    from datetime import timedelta

    return _EPOCH + timedelta(microseconds=micros)


def local_offset_minutes(moment: datetime) -> int:
    """The system's local UTC offset at `moment`, in minutes (respects `TZ`)."""
    offset = moment.astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
