"""Suspensions and labs added to the reviews, kept as a log of changes that export/import carry.

Each change is a row of `mark_log` (kind "suspend", "unsuspend", "add-lab" or "remove-lab", with a
UUID, a time and the learner's zone). The `marks` table holds what they replay to: for each item and
mark, the latest change by (time, UUID) wins, so two boxes that import each other agree.
"""

from __future__ import annotations

import sqlite3
import uuid as uuid_module
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from progress import clock
from progress.database import Database, ImportConflict
from progress.days import local_zone_name

MARK_KINDS: dict[str, tuple[str, bool]] = {
    "suspend": ("suspended", True),
    "unsuspend": ("suspended", False),
    "add-lab": ("added", True),
    "remove-lab": ("added", False),
}
"""Change kind → (the mark it sets or clears, whether it sets it)."""
_KIND_OF = {value: kind for kind, value in MARK_KINDS.items()}
_COLUMNS = "uuid, kind, item_id, at_us, utc_offset_min, tz"
_INSERT_OR_IGNORE = f"INSERT OR IGNORE INTO mark_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class MarkEntry:
    """One change of a mark: an item suspended or unsuspended, a lab added or removed."""

    uuid: str
    kind: str
    """"suspend", "unsuspend", "add-lab" or "remove-lab"."""
    item_id: str
    at: datetime
    utc_offset_min: int = 0
    tz: str = ""
    """The IANA zone the learner was in ("": unknown)."""

    @property
    def mark(self) -> str:
        """The mark this change sets or clears: "suspended" or "added"."""
        return MARK_KINDS[self.kind][0]

    def to_row(self) -> tuple[Any, ...]:
        """The `mark_log` row of this change (time as epoch microseconds)."""
        return (
            self.uuid,
            self.kind,
            self.item_id,
            clock.to_us(self.at),
            self.utc_offset_min,
            self.tz,
        )

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> MarkEntry:
        """The change a `mark_log` row holds."""
        return cls(row[0], row[1], row[2], clock.from_us(row[3]), row[4], row[5])


class Marks(Database):
    """Mark changes appended to `mark_log`, and the current marks they replay to."""

    def set_mark(self, item_id: str, mark: str, on: bool, at: datetime | None = None) -> bool:
        """Set or clear "suspended" or "added" (a lab in the reviews); False if nothing changed.

        A change is logged (and later exported) only when it changes the item's mark."""
        kind = _KIND_OF[(mark, on)]
        moment = at or clock.now()
        with self._write() as conn:
            present = conn.execute(
                "SELECT 1 FROM marks WHERE item_id = ? AND mark = ?", (item_id, mark)
            ).fetchone()
            if (present is not None) == on:
                return False
            # Just after the item's latest change (an imported one may be later than now), so this
            # change is the one in force here and on every box that imports it.
            row = conn.execute(
                "SELECT MAX(at_us) FROM mark_log WHERE item_id = ?", (item_id,)
            ).fetchone()
            at_us = clock.to_us(moment)
            if row[0] is not None and at_us <= row[0]:
                at_us = row[0] + 1
            entry = MarkEntry(
                uuid=str(uuid_module.uuid4()),
                kind=kind,
                item_id=item_id,
                at=clock.from_us(at_us),
                utc_offset_min=clock.local_offset_minutes(moment),
                tz=local_zone_name(),
            )
            conn.execute(_INSERT_OR_IGNORE, entry.to_row())
            _settle(conn, item_id, mark)
        return True

    def marked(self, mark: str) -> set[str]:
        """Items carrying `mark`."""
        return {row[0] for row in self._read("SELECT item_id FROM marks WHERE mark = ?", (mark,))}

    def suspended(self) -> set[str]:
        """Items the learner suspended: out of every queue until unsuspended."""
        return self.marked("suspended")

    def mark_entries(self) -> list[MarkEntry]:
        """Every mark change, oldest first (changes at one instant by UUID, alike everywhere)."""
        rows = self._read(f"SELECT {_COLUMNS} FROM mark_log ORDER BY at_us, item_id, uuid")
        return [MarkEntry.from_row(row) for row in rows]

    @staticmethod
    def _import_marks_in(conn: sqlite3.Connection, entries: Iterable[MarkEntry]) -> int:
        """Merge mark changes by UUID inside the caller's transaction and settle what they touch.

        ImportConflict when a UUID is already here (as a mark change or a log row) with different
        content. Returns the changes added."""
        added = 0
        touched: set[tuple[str, str]] = set()
        for entry in entries:
            row = entry.to_row()
            if conn.execute("SELECT 1 FROM log WHERE uuid = ?", (entry.uuid,)).fetchone():
                raise ImportConflict(entry.uuid)
            if conn.execute(_INSERT_OR_IGNORE, row).rowcount == 1:
                added += 1
                touched.add((entry.item_id, entry.mark))
                continue
            existing = conn.execute(
                f"SELECT {_COLUMNS} FROM mark_log WHERE uuid = ?", (entry.uuid,)
            ).fetchone()
            if tuple(existing) != row:
                raise ImportConflict(entry.uuid)
        for item_id, mark in sorted(touched):
            _settle(conn, item_id, mark)
        return added


def _settle(conn: sqlite3.Connection, item_id: str, mark: str) -> None:
    """Set the item's mark to what its latest change by (time, UUID) says."""
    kinds = [kind for kind, (name, _) in MARK_KINDS.items() if name == mark]
    latest = conn.execute(
        "SELECT kind, at_us FROM mark_log WHERE item_id = ? AND kind IN (?, ?) "
        "ORDER BY at_us DESC, uuid DESC LIMIT 1",
        (item_id, *kinds),
    ).fetchone()
    if latest is not None and MARK_KINDS[latest[0]][1]:
        conn.execute(
            "INSERT OR REPLACE INTO marks (item_id, mark, at_us) VALUES (?, ?, ?)",
            (item_id, mark, latest[1]),
        )
    else:
        conn.execute("DELETE FROM marks WHERE item_id = ? AND mark = ?", (item_id, mark))
