"""The progress file: one SQLite database whose append-only review log is the source of truth."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid as uuid_module
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from fsrs import Card, State

from progress import clock
from progress.days import day_start, next_day_start
from progress.fsdetect import is_network_filesystem
from progress.schedule import LEECH_LAPSES, ItemState, LogEntry, ScheduleConfig, replay

SCHEMA_VERSION = 2
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 30.0
PARAMETERS_KEY = "fsrs.parameters"
FULL_REPLAY_ABOVE = 200
"""An import touching more items than this replays the whole log in one pass."""

_SCHEMA_V1 = (
    """CREATE TABLE log (
        uuid TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('attempt', 'override', 'undo')),
        item_id TEXT NOT NULL,
        at_us INTEGER NOT NULL,
        utc_offset_min INTEGER NOT NULL DEFAULT 0,
        variant INTEGER NOT NULL DEFAULT 0,
        correct INTEGER NOT NULL DEFAULT 0,
        rating INTEGER NOT NULL DEFAULT 0,
        hints_used INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 1,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        gave_up INTEGER NOT NULL DEFAULT 0,
        target TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX log_item ON log (item_id, at_us)",
    "CREATE INDEX log_time ON log (at_us)",
    """CREATE TABLE cards (
        item_id TEXT PRIMARY KEY,
        card TEXT,
        state INTEGER NOT NULL,
        due_us INTEGER,
        stability REAL,
        last_review_us INTEGER,
        reps INTEGER NOT NULL,
        lapses INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        variants TEXT NOT NULL,
        first_us INTEGER
    )""",
    "CREATE INDEX cards_due ON cards (due_us)",
    "CREATE TABLE sections_read (section_id TEXT PRIMARY KEY, at_us INTEGER NOT NULL)",
    "CREATE TABLE drafts (item_id TEXT PRIMARY KEY, text TEXT NOT NULL, updated_us INTEGER NOT NULL)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

_SCHEMA_V2 = (
    # Covers the review queue's query: its rows come from the index alone, with no lookup of each
    # card's row (10,000 due cards: 18 -> 10 ms for the lowest-recall pass).
    "CREATE INDEX cards_review ON cards (due_us, state, stability, last_review_us, item_id) "
    "WHERE card IS NOT NULL",
)

MIGRATIONS: dict[int, tuple[str, ...]] = {1: _SCHEMA_V1, 2: _SCHEMA_V2}
"""Schema version → the statements that bring the previous version to it."""

_LOG_COLUMNS = (
    "uuid, kind, item_id, at_us, utc_offset_min, variant, correct, rating, hints_used, attempts, "
    "duration_ms, gave_up, target"
)


class StoreError(Exception):
    """The progress file cannot be used; the message says why and what to do."""


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


@dataclass(frozen=True)
class DueItem:
    """An item whose review counts now."""

    item_id: str
    due: datetime
    state: str
    """"learning", "review" or "relearning"."""
    retrievability: float
    lapses: int
    leech: bool


@dataclass(frozen=True)
class QueueItem:
    """One entry of a review session."""

    item_id: str
    new: bool
    retrievability: float


def _entry_from_row(row: Sequence[Any]) -> LogEntry:
    return LogEntry(
        uuid=row[0], kind=row[1], item_id=row[2], at=clock.from_us(row[3]), utc_offset_min=row[4],
        variant=row[5], correct=bool(row[6]), rating=row[7], hints_used=row[8], attempts=row[9],
        duration_ms=row[10], gave_up=bool(row[11]), target=row[12],
    )


def _row_from_entry(entry: LogEntry) -> tuple[Any, ...]:
    return (
        entry.uuid, entry.kind, entry.item_id, clock.to_us(entry.at), entry.utc_offset_min,
        entry.variant, int(entry.correct), entry.rating, entry.hints_used, entry.attempts,
        entry.duration_ms, int(entry.gave_up), entry.target,
    )


def _card_from_row(card_json: str | None) -> Card | None:
    return Card.from_json(card_json) if card_json else None


class Store:
    """The learner's progress; safe to share between threads and between processes."""

    def __init__(self, conn: sqlite3.Connection, path: Path, config: ScheduleConfig) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()
        self._base_config = config
        self.config = self._with_saved_parameters(config)

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: Path, config: ScheduleConfig | None = None) -> Store:
        """Open (creating and migrating as needed) the progress file at `path`."""
        path = Path(path).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the progress folder {path.parent}: {exc.strerror or exc}") from None
        _check_header(path)
        try:
            conn = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the progress file {path}: {exc}") from None
        try:
            _prepare(conn, path)
        except StoreError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _is_corruption(exc):
                raise StoreError(_quarantine(path, str(exc))) from None
            raise StoreError(f"cannot use the progress file {path}: {exc}") from None
        store = cls(conn, path, config or ScheduleConfig())
        store._refresh_cache_if_stale()
        return store

    def close(self) -> None:
        """Close the database connection (idempotent)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transactions
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: other processes wait (busy timeout) instead of failing."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"the progress file {self.path} is busy or read-only: {exc}") from None
            try:
                yield self._conn
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"could not save to {self.path}: {exc}") from None
            except BaseException:
                self._rollback()
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"could not save to {self.path}: {exc}") from None

    def _rollback(self) -> None:
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (e.g. after an I/O error); nothing was committed.

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"could not read {self.path}: {exc}") from None

    # ---------------------------------------------------------- configuration
    def _with_saved_parameters(self, config: ScheduleConfig) -> ScheduleConfig:
        saved = self.get_setting(PARAMETERS_KEY)
        if isinstance(saved, list) and saved:
            return replace(config, parameters=tuple(float(value) for value in saved))
        return config

    def set_config(self, config: ScheduleConfig) -> None:
        """Use new retention/day settings; cached cards are replayed when they would differ."""
        self._base_config = config
        self.config = self._with_saved_parameters(config)
        self._refresh_cache_if_stale()

    def save_parameters(self, parameters: Sequence[float] | None) -> None:
        """Store fitted FSRS parameters (None: back to the defaults) and reschedule every card."""
        with self._write() as conn:
            if parameters is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (PARAMETERS_KEY,))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                    (PARAMETERS_KEY, json.dumps([float(value) for value in parameters])),
                )
        self.set_config(self._base_config)

    def _refresh_cache_if_stale(self) -> None:
        fingerprint = self.config.fingerprint()
        stored = self._read("SELECT value FROM meta WHERE key = 'fingerprint'")
        if stored and stored[0][0] == fingerprint:
            return
        self.rebuild()

    def rebuild(self) -> int:
        """Replay the whole log into the card cache; returns how many items it holds."""
        with self._write() as conn:
            return self._rebuild_in(conn)

    def _rebuild_in(self, conn: sqlite3.Connection) -> int:
        conn.execute("DELETE FROM cards")
        rows = conn.execute(f"SELECT {_LOG_COLUMNS} FROM log ORDER BY item_id, at_us, rowid").fetchall()
        by_item: dict[str, list[LogEntry]] = {}
        for row in rows:
            by_item.setdefault(row[2], []).append(_entry_from_row(row))
        for item_id, entries in by_item.items():
            self._write_card(conn, replay(item_id, entries, self.config))
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('fingerprint', ?)",
            (self.config.fingerprint(),),
        )
        return len(by_item)

    def _ensure_fresh_in(self, conn: sqlite3.Connection) -> None:
        """Another process with other settings may have rebuilt the cache; rebuild it for ours."""
        stored = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if stored is None or stored[0] != self.config.fingerprint():
            self._rebuild_in(conn)

    # ---------------------------------------------------------------- the log
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
            conn.execute(f"INSERT INTO log ({_LOG_COLUMNS}) VALUES ({','.join('?' * 13)})", _row_from_entry(entry))
            self._ensure_fresh_in(conn)
            self._replay_item(conn, row[1])
        return str(row[0])

    def _attempt(self, attempt_uuid: str) -> LogEntry:
        rows = self._read(f"SELECT {_LOG_COLUMNS} FROM log WHERE uuid = ?", (attempt_uuid,))
        if not rows or rows[0][1] != "attempt":
            raise StoreError(f"no attempt with UUID {attempt_uuid} in the log")
        return _entry_from_row(rows[0])

    def _append(self, entry: LogEntry, attempt_uuid: str) -> RecordResult:
        with self._write() as conn:
            conn.execute(f"INSERT INTO log ({_LOG_COLUMNS}) VALUES ({','.join('?' * 13)})", _row_from_entry(entry))
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

    def _replay_item(self, conn: sqlite3.Connection, item_id: str) -> ItemState:
        rows = conn.execute(
            f"SELECT {_LOG_COLUMNS} FROM log WHERE item_id = ? ORDER BY at_us, rowid", (item_id,)
        ).fetchall()
        state = replay(item_id, [_entry_from_row(row) for row in rows], self.config)
        self._write_card(conn, state)
        return state

    @staticmethod
    def _write_card(conn: sqlite3.Connection, state: ItemState) -> None:
        card = state.card
        conn.execute(
            "INSERT OR REPLACE INTO cards (item_id, card, state, due_us, stability, last_review_us, "
            "reps, lapses, attempts, variants, first_us) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                state.item_id,
                card.to_json() if card is not None else None,
                int(card.state) if card is not None else 0,
                clock.to_us(card.due) if card is not None else None,
                card.stability if card is not None else None,
                clock.to_us(card.last_review) if card is not None and card.last_review else None,
                state.reps,
                state.lapses,
                state.attempts,
                json.dumps(sorted(state.variants)),
                clock.to_us(state.first_attempt) if state.first_attempt is not None else None,
            ),
        )

    def entries(self, item_id: str | None = None) -> list[LogEntry]:
        """Log rows (all kinds), oldest first; an item's same-time rows in the order they were logged."""
        if item_id is None:
            # Item before rowid: merged logs list alike on every machine (rowids differ between them).
            rows = self._read(f"SELECT {_LOG_COLUMNS} FROM log ORDER BY at_us, item_id, rowid")
        else:
            rows = self._read(
                f"SELECT {_LOG_COLUMNS} FROM log WHERE item_id = ? ORDER BY at_us, rowid", (item_id,)
            )
        return [_entry_from_row(row) for row in rows]

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
            insert = f"INSERT OR IGNORE INTO log ({_LOG_COLUMNS}) VALUES ({','.join('?' * 13)})"
            for entry in incoming:
                row = _row_from_entry(entry)
                if conn.execute(insert, row).rowcount == 1:
                    added += 1
                    touched.add(entry.item_id)
                    continue
                existing = conn.execute(f"SELECT {_LOG_COLUMNS} FROM log WHERE uuid = ?", (entry.uuid,)).fetchone()
                if tuple(existing) != row:
                    raise StoreError(f"log entry {entry.uuid} already exists here with different content")
            self._ensure_fresh_in(conn)
            if len(touched) > FULL_REPLAY_ABOVE:
                self._rebuild_in(conn)
            else:
                for item_id in sorted(touched):
                    self._replay_item(conn, item_id)
        return added

    # ------------------------------------------------------------------ cards
    def item_state(self, item_id: str) -> ItemState:
        """Replay one item's log (read only) for a detailed view."""
        return replay(item_id, self.entries(item_id), self.config)

    def card(self, item_id: str) -> Card | None:
        """The cached FSRS card of an item (None if never reviewed)."""
        rows = self._read("SELECT card FROM cards WHERE item_id = ?", (item_id,))
        return _card_from_row(rows[0][0]) if rows else None

    def used_variants(self, item_id: str) -> set[int]:
        """Variant numbers already attempted for an item."""
        rows = self._read("SELECT variants FROM cards WHERE item_id = ?", (item_id,))
        return set(json.loads(rows[0][0])) if rows else set()

    def next_variant(self, item_id: str) -> int:
        """A variant (≥ 1) not attempted before: the first unused one from attempts + 1."""
        rows = self._read("SELECT attempts, variants FROM cards WHERE item_id = ?", (item_id,))
        attempts, used = (rows[0][0], set(json.loads(rows[0][1]))) if rows else (0, set())
        variant = attempts + 1
        while variant in used:
            variant += 1
        return variant

    def _recall_at(self, at: datetime) -> Callable[[float | None, int | None], float]:
        """fsrs's retrievability at `at`, as a function of a card's stability and last review time.

        fsrs only uses the whole days elapsed, max(0, (at - last_review).days): each card is given a
        stand-in last review exactly that many days before `at` (one per distinct day count), which
        yields the very same float without converting every card's time to a datetime."""
        scheduler = self.config.scheduler
        now_us = clock.to_us(at)
        stand_ins: dict[int, datetime] = {}

        def recall(stability: float | None, last_review_us: int | None) -> float:
            if stability is None or last_review_us is None:
                return 0.0
            days = max(0, (now_us - last_review_us) // _DAY_US)
            last_review = stand_ins.get(days)
            if last_review is None:
                last_review = stand_ins[days] = at - timedelta(days=days)
            # fsrs reads only these two fields; a full Card.from_json costs ten times more.
            view = _RecallView(stability, last_review)
            return float(scheduler.get_card_retrievability(view, at))  # type: ignore[arg-type]

        return recall

    def due(self, at: datetime | None = None, tz: tzinfo | None = None) -> list[DueItem]:
        """Items whose review counts now, soonest due first."""
        moment = at or clock.now()
        horizon = clock.to_us(next_day_start(moment, self.config.day_starts_hour, tz))
        rows = self._read(
            "SELECT item_id, last_review_us, state, due_us, stability, lapses FROM cards "
            "WHERE card IS NOT NULL AND due_us < ? ORDER BY due_us, item_id",
            (horizon,),
        )
        items = []
        now_us = clock.to_us(moment)
        recall = self._recall_at(moment)
        for item_id, last_review_us, state, due_us, stability, lapses in rows:
            if state != State.Review and due_us > now_us:
                continue
            items.append(
                DueItem(
                    item_id=item_id,
                    due=clock.from_us(due_us),
                    state=_STATE_NAMES[state],
                    retrievability=recall(stability, last_review_us),
                    lapses=lapses,
                    leech=lapses >= LEECH_LAPSES,
                )
            )
        return items

    def due_count(self, at: datetime | None = None, tz: tzinfo | None = None) -> int:
        """How many items are due now (the home screen's badge)."""
        moment = at or clock.now()
        horizon = clock.to_us(next_day_start(moment, self.config.day_starts_hour, tz))
        rows = self._read(
            "SELECT COUNT(*) FROM cards WHERE card IS NOT NULL AND due_us < ? "
            "AND (state = ? OR due_us <= ?)",
            (horizon, int(State.Review), clock.to_us(moment)),
        )
        return int(rows[0][0])

    def retrievabilities(self, at: datetime | None = None) -> dict[str, float]:
        """Item ID → predicted probability of recall now, for every item ever reviewed."""
        moment = at or clock.now()
        rows = self._read("SELECT item_id, stability, last_review_us FROM cards WHERE card IS NOT NULL")
        recall = self._recall_at(moment)
        return {item_id: recall(stability, last) for item_id, stability, last in rows}

    def mastery(self, item_ids: Iterable[str], at: datetime | None = None) -> float | None:
        """Mean retrievability over `item_ids` (never-seen items count 0); None for no items."""
        wanted = list(item_ids)
        if not wanted:
            return None
        known = self.retrievabilities(at)
        return sum(known.get(item_id, 0.0) for item_id in wanted) / len(wanted)

    def due_times(self) -> list[int]:
        """Due times (epoch microseconds) of every reviewed item, soonest first."""
        rows = self._read("SELECT due_us FROM cards WHERE card IS NOT NULL ORDER BY due_us")
        return [int(row[0]) for row in rows]

    def leeches(self) -> list[str]:
        """Items lapsed at least LEECH_LAPSES times."""
        rows = self._read("SELECT item_id FROM cards WHERE lapses >= ? ORDER BY item_id", (LEECH_LAPSES,))
        return [row[0] for row in rows]

    def done_today(self, at: datetime | None = None, tz: tzinfo | None = None) -> tuple[int, int]:
        """(new items introduced, items reviewed) in the current study day."""
        moment = at or clock.now()
        start = clock.to_us(day_start(moment, self.config.day_starts_hour, tz))
        new = self._read("SELECT COUNT(*) FROM cards WHERE first_us >= ?", (start,))[0][0]
        # An undo always comes after its attempt, so today's undos are the only ones that matter.
        reviews = self._read(
            "SELECT COUNT(DISTINCT log.item_id) FROM log JOIN cards ON cards.item_id = log.item_id "
            "WHERE log.kind = 'attempt' AND log.at_us >= ? AND cards.first_us < ? AND log.uuid NOT IN "
            "(SELECT target FROM log WHERE kind = 'undo' AND at_us >= ?)",
            (start, start, start),
        )[0][0]
        return int(new), int(reviews)

    def review_queue(
        self,
        item_order: Sequence[str],
        new_per_day: int,
        reviews_per_day: int,
        at: datetime | None = None,
        tz: tzinfo | None = None,
    ) -> list[QueueItem]:
        """A session: due reviews by lowest retrievability, new items (in `item_order`) spread among them."""
        moment = at or clock.now()
        new_done, reviews_done = self.done_today(moment, tz)
        reviews = self._lowest_recall(set(item_order), max(0, reviews_per_day - reviews_done), moment, tz)
        seen = {row[0] for row in self._read("SELECT item_id FROM cards WHERE attempts > 0")}
        fresh = [QueueItem(item_id, True, 0.0) for item_id in item_order if item_id not in seen]
        fresh = fresh[: max(0, new_per_day - new_done)]
        return _interleave(reviews, fresh)

    def _lowest_recall(self, known: set[str], limit: int, moment: datetime, tz: tzinfo | None) -> list[QueueItem]:
        """The `limit` due reviews of `known` items that `sorted(due(), key=(recall, due, id))` would keep.

        fsrs's recall is (1 + F·d/S)^D with F > 0 > D and d the elapsed whole days, so it falls as d/S
        rises: SQLite sorts by d/S and recall is computed only for the rows kept, instead of building a
        DueItem for every due card. Rows whose d/S is within rounding of the last kept one may still
        tie or swap on recall, so they are all re-sorted on the exact key.
        """
        if limit <= 0:
            return []
        horizon = clock.to_us(next_day_start(moment, self.config.day_starts_hour, tz))
        now_us = clock.to_us(moment)
        candidates: list[tuple[str, int, float | None, int | None]] = []
        boundary: float | None = None
        with self._lock:
            try:
                cursor = self._conn.execute(_LOWEST_RECALL_SQL, (now_us, horizon, int(State.Review), now_us))
                for item_id, due_us, stability, last_review_us, ratio in cursor:
                    if item_id not in known:
                        continue
                    if len(candidates) >= limit and not _near_tie(ratio, boundary):
                        break
                    candidates.append((item_id, due_us, stability, last_review_us))
                    if len(candidates) == limit:
                        boundary = ratio
                cursor.close()
            except sqlite3.Error as exc:
                raise StoreError(f"could not read {self.path}: {exc}") from None
        recall = self._recall_at(moment)
        ranked = sorted(
            (recall(stability, last_review_us), due_us, item_id)
            for item_id, due_us, stability, last_review_us in candidates
        )
        return [QueueItem(item_id, False, recall) for recall, _due_us, item_id in ranked[:limit]]

    # --------------------------------------------------------- sections read
    def mark_section_read(self, section_id: str, at: datetime | None = None) -> None:
        """Remember that a section was read (the first time counts)."""
        moment = at or clock.now()
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO sections_read (section_id, at_us) VALUES (?, ?)",
                (section_id, clock.to_us(moment)),
            )

    def sections_read(self) -> set[str]:
        """IDs of every section marked read."""
        return {row[0] for row in self._read("SELECT section_id FROM sections_read")}

    # ------------------------------------------------------------------ drafts
    def save_draft(self, item_id: str, text: str, at: datetime | None = None) -> None:
        """Keep the learner's code for an exercise (replaces the previous draft)."""
        moment = at or clock.now()
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO drafts (item_id, text, updated_us) VALUES (?, ?, ?)",
                (item_id, text, clock.to_us(moment)),
            )

    def load_draft(self, item_id: str) -> str | None:
        """The saved draft for an exercise, or None."""
        rows = self._read("SELECT text FROM drafts WHERE item_id = ?", (item_id,))
        return str(rows[0][0]) if rows else None

    def delete_draft(self, item_id: str) -> None:
        """Forget an exercise's draft."""
        with self._write() as conn:
            conn.execute("DELETE FROM drafts WHERE item_id = ?", (item_id,))

    # ---------------------------------------------------------------- settings
    def get_setting(self, key: str, default: Any = None) -> Any:
        """A JSON value kept in the progress file, or `default`."""
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_setting(self, key: str, value: Any) -> None:
        """Keep a JSON-serialisable value in the progress file."""
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def integrity_ok(self) -> bool:
        """PRAGMA integrity_check says ok."""
        return self._read("PRAGMA integrity_check")[0][0] == "ok"

    def journal_mode(self) -> str:
        """"wal" on local disks, "delete" on network file systems."""
        return str(self._read("PRAGMA journal_mode")[0][0])


_DAY_US = 86_400_000_000
_STATE_NAMES = {int(state): state.name.lower() for state in State}
"""fsrs state number → "learning", "review" or "relearning"."""

_LOWEST_RECALL_SQL = (
    "SELECT item_id, due_us, stability, last_review_us, "
    "CASE WHEN stability IS NULL OR last_review_us IS NULL THEN NULL "
    "ELSE MAX(0, (? - last_review_us) / 86400000000) * 1.0 / stability END AS ratio "
    "FROM cards WHERE card IS NOT NULL AND due_us < ? AND (state = ? OR due_us <= ?) "
    # A card without stability has recall 0 (fsrs), so it comes before every other; then lowest recall.
    "ORDER BY ratio IS NOT NULL, ratio DESC, due_us, item_id"
)
"""Due reviews, lowest recall first: elapsed whole days (floored like timedelta.days) over stability."""

_TIE_TOLERANCE = 1e-6
"""Relative gap in days/stability beyond which fsrs's floating-point recall cannot tie or swap."""


def _near_tie(ratio: float | None, boundary: float | None) -> bool:
    """`ratio` (sorted after `boundary`) may still have the same recall as the boundary row."""
    if boundary is None:
        return ratio is None
    return ratio is not None and ratio >= boundary * (1 - _TIE_TOLERANCE)


@dataclass(frozen=True)
class _RecallView:
    """The two card fields fsrs needs for a retrievability."""

    stability: float
    last_review: datetime


def _interleave(reviews: list[QueueItem], fresh: list[QueueItem]) -> list[QueueItem]:
    """Spread new items evenly through the reviews, so new material comes alongside them."""
    if not fresh:
        return reviews
    if not reviews:
        return fresh
    merged: list[QueueItem] = []
    step = (len(reviews) + 1) / (len(fresh) + 1)
    slots = {round(step * (index + 1)) for index in range(len(fresh))}
    pending = iter(fresh)
    for position, review in enumerate(reviews):
        if position in slots:
            merged.append(next(pending))
        merged.append(review)
    merged.extend(pending)
    return merged


# ------------------------------------------------------------ opening helpers
def _check_header(path: Path) -> None:
    """A non-empty file that does not start like SQLite is not our database."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read the progress file {path}: {exc.strerror or exc}") from None
    if head and head != SQLITE_HEADER:
        raise StoreError(_quarantine(path, "it is not a SQLite database"))


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse newer schemas untouched, check integrity, pick the journal, migrate."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer version of the tutor (progress schema {version}; this "
            f"version reads up to {SCHEMA_VERSION}). Upgrade the tutor to use it; the file was not changed."
        )
    if version > 0:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise StoreError(_quarantine(path, f"integrity check failed: {verdict}"))
    mode = "DELETE" if is_network_filesystem(path.parent) else "WAL"
    conn.execute(f"PRAGMA journal_mode={mode}")
    # FULL: a commit reaches the disk before the verdict is shown, even across a power cut.
    conn.execute("PRAGMA synchronous=FULL")
    _migrate(conn)


def _migrate(conn: sqlite3.Connection) -> None:
    if int(conn.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read inside the lock: another process may have migrated meanwhile.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _quarantine(path: Path, reason: str) -> str:
    """Move a damaged file (and its journal) aside; the message says where it went."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.name}.damaged-{stamp}")
    try:
        os.replace(path, backup)
        for suffix in ("-wal", "-journal"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, backup.with_name(backup.name + suffix))
        shm = path.with_name(path.name + "-shm")
        if shm.exists():
            shm.unlink()
    except OSError as exc:
        return (
            f"the progress file {path} is damaged ({reason}) and could not be moved aside "
            f"({exc.strerror or exc}); move it away by hand, then `tutor import` an export if you have one"
        )
    return (
        f"the progress file {path} is damaged ({reason}). It was kept as {backup}; the next start "
        f"begins a fresh progress file. If you exported your log, `tutor import` it to restore your history."
    )
