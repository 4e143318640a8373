"""The progress database: opening, integrity, journal mode, schema migrations and transactions."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from progress import clock
from progress.fsdetect import is_network_filesystem

if TYPE_CHECKING:
    from typing_extensions import Self

SCHEMA_VERSION = 4
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 30.0

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
    "CREATE TABLE drafts (item_id TEXT PRIMARY KEY, text TEXT NOT NULL, "
    "updated_us INTEGER NOT NULL)",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

_SCHEMA_V2 = (
    # Covers the review queue's query: its rows come from the index alone, with no lookup of each
    # card's row (10,000 due cards: 18 -> 10 ms for the lowest-recall pass).
    "CREATE INDEX cards_review ON cards (due_us, state, stability, last_review_us, item_id) "
    "WHERE card IS NOT NULL",
)

_SCHEMA_V3 = (
    # Showings: attempts sharing a showing UUID fold into one review ("" = a showing of its own).
    "ALTER TABLE log ADD COLUMN showing TEXT NOT NULL DEFAULT ''",
    # The learner's IANA zone, so study days survive daylight-saving changes ("" = fixed offset).
    "ALTER TABLE log ADD COLUMN tz TEXT NOT NULL DEFAULT ''",
    # The exercise's par time, which sets its learning steps (0 = the shortest step).
    "ALTER TABLE log ADD COLUMN par_s INTEGER NOT NULL DEFAULT 0",
    # Suspended items, and labs the learner added to the reviews.
    "CREATE TABLE marks (item_id TEXT NOT NULL, mark TEXT NOT NULL CHECK (mark IN "
    "('suspended', 'added')), at_us INTEGER NOT NULL, PRIMARY KEY (item_id, mark))",
)

# A random version-4 UUID, written canonically, for each row of the SELECT it is used in.
_NEW_UUID = (
    "substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)"
)

_SCHEMA_V4 = (
    # Mark changes (suspend, unsuspend, a lab added to or removed from the reviews) are logged like
    # attempts so export/import carries them; `marks` becomes the state they replay to, the latest
    # change of each (item, mark) by (time, UUID) winning, the same on every box.
    "CREATE TABLE mark_log (uuid TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN "
    "('suspend', 'unsuspend', 'add-lab', 'remove-lab')), item_id TEXT NOT NULL, "
    "at_us INTEGER NOT NULL, utc_offset_min INTEGER NOT NULL DEFAULT 0, "
    "tz TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX mark_log_item ON mark_log (item_id, at_us)",
    # Marks set before version 4 become the first entries of their item's mark log.
    f"INSERT INTO mark_log (uuid, kind, item_id, at_us) SELECT {_NEW_UUID}, "
    "CASE mark WHEN 'suspended' THEN 'suspend' ELSE 'add-lab' END, item_id, at_us "
    "FROM (SELECT lower(hex(randomblob(16))) AS h, mark, item_id, at_us FROM marks)",
)

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: _SCHEMA_V1,
    2: _SCHEMA_V2,
    3: _SCHEMA_V3,
    4: _SCHEMA_V4,
}
"""Schema version → the statements that bring the previous version to it."""


class StoreError(Exception):
    """The progress file cannot be used; the message says why and what to do."""


class ImportConflict(StoreError):
    """An imported entry's UUID is already in the log with different content."""

    def __init__(self, uuid: str) -> None:
        super().__init__(f"log entry {uuid} already exists here with different content")
        self.uuid = uuid


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating and migrating as needed) the progress file; StoreError says why not."""
    path = Path(path).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the progress folder {path.parent}: {exc.strerror or exc}"
        ) from None
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
    return conn


class Database:
    """One connection to the progress file, shared by threads under a lock."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the database connection (idempotent)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
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
                raise StoreError(
                    f"the progress file {self.path} is busy or read-only: {exc}"
                ) from None
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

    def integrity_ok(self) -> bool:
        """PRAGMA integrity_check says ok."""
        return self._read("PRAGMA integrity_check")[0][0] == "ok"

    def journal_mode(self) -> str:
        """ "wal" on local disks, "delete" on network file systems."""
        return str(self._read("PRAGMA journal_mode")[0][0])


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
            f"version reads up to {SCHEMA_VERSION}). Upgrade the tutor to use it; the file was not "
            "changed."
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
            f"({exc.strerror or exc}); move it away by hand, then `tutor import` an export if you "
            "have one"
        )
    return (
        f"the progress file {path} is damaged ({reason}). It was kept as {backup}; the next start "
        f"begins a fresh progress file. If you exported your log, `tutor import` it to restore "
        "your history."
    )
