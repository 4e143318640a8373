"""The review log: appending attempts, overrides and undos, reading it back, and merging imports."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from progress import clock
from progress.cards import CardCache
from progress.database import StoreError
from progress.entry import INSERT, INSERT_OR_IGNORE, SELECT, LogEntry

FULL_REPLAY_ABOVE = 200
"""An import touching more items than this replays the whole log in one pass."""


@dataclass(frozen=True)
class RecordResult:
    """What one logged attempt did to its item's schedule."""

    uuid: str
    item_id: str
    rating: int
    counted: bool
    """False when the attempt was practice ahead of schedule: logged, schedule unchanged."""
    due: datetime
    lapses: int
    leech: bool


class Log(CardCache):
    """The append-only log; every write replays the items it touched into the card cache."""

    def record(
        self,
        item_id: str,
        *,
        variant: int,
        correct: bool,
        rating: int,
        hints_used: int = 0,
        attempts: int = 1,
        duration_ms: int = 0,
        gave_up: bool = False,
        at: datetime | None = None,
        utc_offset_min: int | None = None,
    ) -> RecordResult:
        """Append one graded attempt and reschedule its item; committed when this returns."""
        if rating not in (1, 2, 3, 4):
            raise StoreError(f"rating must be 1 (Again) to 4 (Easy), not {rating}")
        moment = at or clock.now()
        entry = LogEntry(
            uuid=str(uuid_module.uuid4()), kind="attempt", item_id=item_id, at=moment,
            utc_offset_min=clock.local_offset_minutes(moment) if utc_offset_min is None else utc_offset_min,
            variant=variant, correct=correct, rating=rating, hints_used=hints_used,
            attempts=attempts, duration_ms=max(0, int(duration_ms)), gave_up=gave_up,
        )
        return self._append(entry, entry.uuid)

    def override(self, attempt_uuid: str, rating: int, at: datetime | None = None) -> RecordResult:
        """Replace the rating of a logged attempt (keys 1-4 after a verdict)."""
        if rating not in (1, 2, 3, 4):
            raise StoreError(f"rating must be 1 (Again) to 4 (Easy), not {rating}")
        target = self._attempt(attempt_uuid)
        moment = at or clock.now()
        entry = LogEntry(
            uuid=str(uuid_module.uuid4()), kind="override", item_id=target.item_id, at=moment,
            utc_offset_min=clock.local_offset_minutes(moment), rating=rating, target=attempt_uuid,
        )
        return self._append(entry, attempt_uuid)

    def undo_last(self, at: datetime | None = None) -> str | None:
        """Cancel the most recent attempt still in force; returns its UUID, or None if there is none."""
        moment = at or clock.now()
        with self._write() as conn:
            row = conn.execute(
                "SELECT uuid, item_id FROM log WHERE kind = 'attempt' AND uuid NOT IN "
                "(SELECT target FROM log WHERE kind = 'undo') ORDER BY at_us DESC, rowid DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            entry = LogEntry(
                uuid=str(uuid_module.uuid4()), kind="undo", item_id=row[1], at=moment,
                utc_offset_min=clock.local_offset_minutes(moment), target=row[0],
            )
            conn.execute(INSERT, entry.to_row())
            self._ensure_fresh_in(conn)
            self._replay_item(conn, row[1])
        return str(row[0])

    def _attempt(self, attempt_uuid: str) -> LogEntry:
        rows = self._read(f"SELECT {SELECT} FROM log WHERE uuid = ?", (attempt_uuid,))
        if not rows or rows[0][1] != "attempt":
            raise StoreError(f"no attempt with UUID {attempt_uuid} in the log")
        return LogEntry.from_row(rows[0])

    def _append(self, entry: LogEntry, attempt_uuid: str) -> RecordResult:
        with self._write() as conn:
            conn.execute(INSERT, entry.to_row())
            self._ensure_fresh_in(conn)
            state = self._replay_item(conn, entry.item_id)
        card = state.card
        return RecordResult(
            uuid=attempt_uuid,
            item_id=entry.item_id,
            rating=state.ratings.get(attempt_uuid, entry.rating),
            counted=state.counted.get(attempt_uuid, False),
            due=card.due if card is not None else entry.at,
            lapses=state.lapses,
            leech=state.leech,
        )

    def entries(self, item_id: str | None = None) -> list[LogEntry]:
        """Log rows (all kinds), oldest first; an item's same-time rows in the order they were logged."""
        if item_id is None:
            # Item before rowid: merged logs list alike on every machine (rowids differ between them).
            rows = self._read(f"SELECT {SELECT} FROM log ORDER BY at_us, item_id, rowid")
        else:
            rows = self._read(
                f"SELECT {SELECT} FROM log WHERE item_id = ? ORDER BY at_us, rowid", (item_id,)
            )
        return [LogEntry.from_row(row) for row in rows]

    def log_count(self, kind: str = "attempt") -> int:
        """How many log rows of this kind exist."""
        return int(self._read("SELECT COUNT(*) FROM log WHERE kind = ?", (kind,))[0][0])

    def import_entries(self, entries: Iterable[LogEntry]) -> int:
        """Merge log rows by UUID in one transaction and replay what changed; returns rows added.

        A UUID already present with different content is a conflict: nothing is imported. New rows
        are logged in time order, ties in the order given (an export lists them as they were logged),
        so replay sees the same sequence here as where they were written.
        """
        incoming = sorted(entries, key=lambda entry: entry.at)  # stable: ties keep the given order
        with self._write() as conn:
            added = 0
            touched: set[str] = set()
            for entry in incoming:
                row = entry.to_row()
                if conn.execute(INSERT_OR_IGNORE, row).rowcount == 1:
                    added += 1
                    touched.add(entry.item_id)
                    continue
                existing = conn.execute(f"SELECT {SELECT} FROM log WHERE uuid = ?", (entry.uuid,)).fetchone()
                if tuple(existing) != row:
                    raise StoreError(f"log entry {entry.uuid} already exists here with different content")
            self._ensure_fresh_in(conn)
            if len(touched) > FULL_REPLAY_ABOVE:
                self._rebuild_in(conn)
            else:
                for item_id in sorted(touched):
                    self._replay_item(conn, item_id)
        return added
