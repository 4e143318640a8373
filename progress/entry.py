"""One review-log row (a graded attempt, a rating override or an undo) and its SQLite row form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from progress import clock

COLUMNS = (
    "uuid",
    "kind",
    "item_id",
    "at_us",
    "utc_offset_min",
    "variant",
    "correct",
    "rating",
    "hints_used",
    "attempts",
    "duration_ms",
    "gave_up",
    "target",
    "showing",
    "tz",
    "par_s",
)
"""The log table's columns, in the order `to_row` and `from_row` use."""
SELECT = ", ".join(COLUMNS)
INSERT = f"INSERT INTO log ({SELECT}) VALUES ({','.join('?' * len(COLUMNS))})"
INSERT_OR_IGNORE = INSERT.replace("INSERT", "INSERT OR IGNORE", 1)
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
"""No log entry is older: earlier times are refused on import and left out of replays."""
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)
"""Nor this late (a replay must be able to add years of intervals to any entry's time)."""


@dataclass(frozen=True)
class LogEntry:
    """One append-only log row: a graded attempt, a rating override, or the undo of an attempt."""

    uuid: str
    kind: str
    """"attempt", "override" or "undo"."""
    item_id: str
    at: datetime
    utc_offset_min: int = 0
    variant: int = 0
    correct: bool = False
    rating: int = 0
    hints_used: int = 0
    attempts: int = 1
    duration_ms: int = 0
    gave_up: bool = False
    target: str = ""
    """For overrides and undos: the UUID of the attempt they change."""
    showing: str = ""
    """For attempts: the UUID of the showing it belongs to ("": a showing of its own)."""
    tz: str = ""
    """The IANA zone the learner was in ("": unknown, use `utc_offset_min`)."""
    par_s: int = 0
    """For attempts: the exercise's par time, which sets the length of its learning steps."""

    def to_row(self) -> tuple[Any, ...]:
        """The values of `COLUMNS` for this entry (times as epoch microseconds)."""
        return (
            self.uuid,
            self.kind,
            self.item_id,
            clock.to_us(self.at),
            self.utc_offset_min,
            self.variant,
            int(self.correct),
            self.rating,
            self.hints_used,
            self.attempts,
            self.duration_ms,
            int(self.gave_up),
            self.target,
            self.showing,
            self.tz,
            self.par_s,
        )

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> LogEntry:
        """The entry a `SELECT {SELECT}` row holds."""
        return cls(
            uuid=row[0],
            kind=row[1],
            item_id=row[2],
            at=clock.from_us(row[3]),
            utc_offset_min=row[4],
            variant=row[5],
            correct=bool(row[6]),
            rating=row[7],
            hints_used=row[8],
            attempts=row[9],
            duration_ms=row[10],
            gave_up=bool(row[11]),
            target=row[12],
            showing=row[13],
            tz=row[14],
            par_s=row[15],
        )
