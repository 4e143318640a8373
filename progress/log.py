"""The review log: appending attempts, overrides and undos, reading it back, and merging imports."""

from __future__ import annotations

import sqlite3
import uuid as uuid_module
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from progress import clock
from progress.cards import CardCache
from progress.database import ImportConflict, StoreError
from progress.days import local_zone_name
from progress.entry import INSERT, INSERT_OR_IGNORE, SELECT, LogEntry
from progress.marks import MarkEntry
from progress.rating import Rating
from progress.schedule import ItemState, ShowingResult

FULL_REPLAY_ABOVE = 200
"""An import touching more items than this replays the whole log in one pass."""

SITTING = timedelta(minutes=30)
"""`tutor check` joins a submission to the item's open showing that began at most this long ago."""


@dataclass(frozen=True)
class RecordResult:
    """What one logged attempt did to its item's schedule."""

    uuid: str
    item_id: str
    rating: int
    """The rating of the attempt's showing so far."""
    counted: bool
    """False when the showing is practice (a pass while not due): logged, schedule unchanged."""
    due: datetime
    lapses: int
    leech: bool
    showing: str = ""
    """The UUID of the showing the attempt belongs to."""
    attempt_number: int = 1
    """Which submission of its showing this is, from 1."""
    was_due: bool = True
    """Whether the item was due when the showing began."""
    lapse: bool = False
    """The showing failed a card in the Review state."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`--json` outputs)."""
        return {
            "attempt": self.uuid,
            "item_id": self.item_id,
            "showing": self.showing,
            "attempt_in_showing": self.attempt_number,
            "rating": self.rating,
            "schedule_changed": self.counted,
            "was_due": self.was_due,
            "lapse": self.lapse,
            "due": self.due.isoformat(),
            "lapses": self.lapses,
            "leech": self.leech,
        }


@dataclass(frozen=True)
class OpenShowing:
    """An item's latest showing, still open to more submissions."""

    showing: str
    attempts: int
    """Submissions in force so far."""
    started: datetime


@dataclass(frozen=True)
class Undone:
    """What an undo took back."""

    item_id: str
    attempts: tuple[str, ...]
    rating: Rating
    at: datetime
    """When the (last) undone attempt was made."""


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
        tz: str | None = None,
        showing: str = "",
        par_s: int = 0,
    ) -> RecordResult:
        """Append one graded attempt and reschedule its item; committed when this returns.

        `showing` joins the attempt to a showing already logged ("": it starts one of its own).
        `utc_offset_min` without `tz` records a fixed offset; neither records the local zone."""
        _check_rating(rating)
        moment = at or clock.now()
        if tz is None:
            tz = "" if utc_offset_min is not None else local_zone_name()
        entry = LogEntry(
            uuid=str(uuid_module.uuid4()),
            kind="attempt",
            item_id=item_id,
            at=moment,
            utc_offset_min=_offset(moment, utc_offset_min),
            variant=variant,
            correct=correct,
            rating=rating,
            hints_used=hints_used,
            attempts=attempts,
            duration_ms=max(0, int(duration_ms)),
            gave_up=gave_up,
            tz=tz,
            showing=showing,
            par_s=max(0, int(par_s)),
        )
        return self._append(entry, entry.uuid)

    def override(self, attempt_uuid: str, rating: int, at: datetime | None = None) -> RecordResult:
        """Replace the rating of a logged attempt's showing (keys 1-4 after a verdict, --rating)."""
        _check_rating(rating)
        target = self._attempt(attempt_uuid)
        moment = at or clock.now()
        entry = LogEntry(
            uuid=str(uuid_module.uuid4()),
            kind="override",
            item_id=target.item_id,
            at=moment,
            utc_offset_min=_offset(moment, None),
            rating=rating,
            target=attempt_uuid,
            tz=local_zone_name(),
        )
        return self._append(entry, attempt_uuid)

    def undo(self, uuid: str, at: datetime | None = None) -> Undone:
        """Cancel one attempt, or every attempt of a showing, by UUID (StoreError: none in force).

        Only what the caller names is undone, never whatever another process logged last."""
        moment = at or clock.now()
        with self._write() as conn:
            rows = conn.execute(
                f"SELECT {SELECT} FROM log WHERE kind = 'attempt' AND (uuid = ? OR showing = ?) "
                "AND uuid NOT IN (SELECT target FROM log WHERE kind = 'undo') ORDER BY at_us, uuid",
                (uuid, uuid),
            ).fetchall()
            targets = [LogEntry.from_row(row) for row in rows]
            # An attempt UUID undoes that attempt only; a showing UUID undoes the whole showing.
            if any(entry.uuid == uuid and entry.showing not in ("", uuid) for entry in targets):
                targets = [entry for entry in targets if entry.uuid == uuid]
            else:
                targets = [entry for entry in targets if (entry.showing or entry.uuid) == uuid]
            if not targets:
                raise StoreError(_not_undoable(conn, uuid))
            item_id = targets[0].item_id
            before = self._replay_item(conn, item_id)
            rating = Rating(before.ratings.get(targets[-1].uuid, targets[-1].rating))
            moment = self._after_last(conn, item_id, moment)
            for target in targets:
                entry = LogEntry(
                    uuid=str(uuid_module.uuid4()),
                    kind="undo",
                    item_id=item_id,
                    at=moment,
                    utc_offset_min=_offset(moment, None),
                    target=target.uuid,
                    tz=local_zone_name(),
                )
                conn.execute(INSERT, entry.to_row())
                moment += timedelta(microseconds=1)
            self._ensure_fresh_in(conn)
            self._replay_item(conn, item_id)
        return Undone(item_id, tuple(entry.uuid for entry in targets), rating, targets[-1].at)

    def open_showing(
        self, item_id: str, at: datetime, window: timedelta = SITTING
    ) -> OpenShowing | None:
        """The item's latest showing, if neither solved nor given up and begun within `window`."""
        rows = self._read(
            "SELECT uuid, showing, at_us, correct, gave_up FROM log WHERE item_id = ? AND "
            "kind = 'attempt' AND uuid NOT IN (SELECT target FROM log WHERE kind = 'undo') "
            "ORDER BY at_us DESC, uuid DESC LIMIT 1",
            (item_id,),
        )
        if not rows or rows[0][3] or rows[0][4]:
            return None
        key = rows[0][1] or rows[0][0]
        first_us, count = self._read(
            "SELECT MIN(at_us), COUNT(*) FROM log WHERE kind = 'attempt' "
            "AND (showing = ? OR uuid = ?) "
            "AND uuid NOT IN (SELECT target FROM log WHERE kind = 'undo')",
            (key, key),
        )[0]
        started = clock.from_us(first_us)
        if at - started > window or at < started:
            return None
        return OpenShowing(key, int(count), started)

    def _attempt(self, attempt_uuid: str) -> LogEntry:
        rows = self._read(f"SELECT {SELECT} FROM log WHERE uuid = ?", (attempt_uuid,))
        if not rows or rows[0][1] != "attempt":
            raise StoreError(f"no attempt with UUID {attempt_uuid} in the log")
        return LogEntry.from_row(rows[0])

    @staticmethod
    def _after_last(conn: sqlite3.Connection, item_id: str, moment: datetime) -> datetime:
        """`moment`, or just after the item's latest entry: entries logged here never tie."""
        row = conn.execute("SELECT MAX(at_us) FROM log WHERE item_id = ?", (item_id,)).fetchone()
        if row is not None and row[0] is not None and clock.to_us(moment) <= row[0]:
            return clock.from_us(row[0] + 1)
        return moment

    def _append(self, entry: LogEntry, attempt_uuid: str) -> RecordResult:
        with self._write() as conn:
            moment = self._after_last(conn, entry.item_id, entry.at)
            if moment != entry.at:
                entry = replace(entry, at=moment)
            conn.execute(INSERT, entry.to_row())
            self._ensure_fresh_in(conn)
            state = self._replay_item(conn, entry.item_id)
        return _result(state, attempt_uuid, entry)

    def entries(self, item_id: str | None = None) -> list[LogEntry]:
        """Log rows (all kinds), oldest first; rows at one instant by UUID, alike everywhere."""
        if item_id is None:
            rows = self._read(f"SELECT {SELECT} FROM log ORDER BY at_us, item_id, uuid")
        else:
            rows = self._read(
                f"SELECT {SELECT} FROM log WHERE item_id = ? ORDER BY at_us, uuid", (item_id,)
            )
        return [LogEntry.from_row(row) for row in rows]

    def log_count(self, kind: str = "attempt") -> int:
        """How many log rows of this kind exist."""
        return int(self._read("SELECT COUNT(*) FROM log WHERE kind = ?", (kind,))[0][0])

    def attempt_item(self, uuid: str) -> str | None:
        """The item of the logged attempt with this UUID, or None when there is no such attempt."""
        rows = self._read("SELECT item_id FROM log WHERE uuid = ? AND kind = 'attempt'", (uuid,))
        return str(rows[0][0]) if rows else None

    def import_entries(self, entries: Iterable[LogEntry], marks: Iterable[MarkEntry] = ()) -> int:
        """Merge log rows and mark changes by UUID in one transaction and replay what changed;
        returns rows added.

        A UUID already present with different content is a conflict: nothing is imported. Replay
        orders entries by time, then UUID, so the merged log gives the same cards (and marks) on
        every machine.
        """
        with self._write() as conn:
            added = self._import_marks_in(conn, marks)
            # A log row may not reuse a mark change's UUID (most logs have no mark changes at all).
            any_marks = conn.execute("SELECT EXISTS (SELECT 1 FROM mark_log)").fetchone()[0]
            touched: set[str] = set()
            for entry in entries:
                row = entry.to_row()
                if (
                    any_marks
                    and conn.execute(
                        "SELECT 1 FROM mark_log WHERE uuid = ?", (entry.uuid,)
                    ).fetchone()
                ):
                    raise ImportConflict(entry.uuid)
                if conn.execute(INSERT_OR_IGNORE, row).rowcount == 1:
                    added += 1
                    touched.add(entry.item_id)
                    continue
                existing = conn.execute(
                    f"SELECT {SELECT} FROM log WHERE uuid = ?", (entry.uuid,)
                ).fetchone()
                if tuple(existing) != row:
                    raise ImportConflict(entry.uuid)
            self._ensure_fresh_in(conn)
            if len(touched) > FULL_REPLAY_ABOVE:
                self._rebuild_in(conn)
            else:
                for item_id in sorted(touched):
                    self._replay_item(conn, item_id)
        return added


_KIND_WORDS = {"override": "a rating override", "undo": "an undo"}


def _not_undoable(conn: sqlite3.Connection, uuid: str) -> str:
    """Why `uuid` names nothing `undo` can take back: unknown, already undone, or not an attempt."""
    row = conn.execute(
        "SELECT kind, item_id FROM log WHERE uuid = ? UNION ALL "
        "SELECT kind, item_id FROM mark_log WHERE uuid = ?",
        (uuid, uuid),
    ).fetchone()
    if row is None:
        shown = conn.execute(
            "SELECT 1 FROM log WHERE kind = 'attempt' AND showing = ? LIMIT 1", (uuid,)
        ).fetchone()
        if shown is None:
            return (
                f"no attempt or showing has UUID {uuid} in this progress file "
                "(`tutor card ID` lists an item's attempts)"
            )
        return f"every attempt of showing {uuid} is already undone"
    kind, item_id = row
    if kind == "attempt":
        return f"attempt {uuid} on {item_id} is already undone"
    what = _KIND_WORDS.get(kind, f"a {kind} change")
    return (
        f"{uuid} is {what} on {item_id}, not an attempt or a showing; tutor undo takes back "
        "attempts only"
    )


def _check_rating(rating: int) -> None:
    if rating not in (1, 2, 3, 4):
        raise StoreError(f"rating must be 1 (Again) to 4 (Easy), not {rating}")


def _offset(moment: datetime, given: int | None) -> int:
    return clock.local_offset_minutes(moment) if given is None else given


def _result(state: ItemState, attempt_uuid: str, entry: LogEntry) -> RecordResult:
    """The RecordResult of `attempt_uuid` after its item was replayed into `state`."""
    showing: ShowingResult | None = next(
        (found for found in reversed(state.showings) if attempt_uuid in found.attempts), None
    )
    card = state.card
    return RecordResult(
        uuid=attempt_uuid,
        item_id=entry.item_id,
        rating=state.ratings.get(attempt_uuid, entry.rating),
        counted=state.counted.get(attempt_uuid, False),
        due=card.due if card is not None else entry.at,
        lapses=state.lapses,
        leech=state.leech,
        showing=showing.showing if showing is not None else "",
        attempt_number=showing.attempts.index(attempt_uuid) + 1 if showing is not None else 1,
        was_due=showing.was_due if showing is not None else True,
        lapse=showing.lapse if showing is not None else False,
    )
