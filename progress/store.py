"""The progress file: one SQLite database whose append-only review log is the source of truth.

`Store` joins the parts, each in its own module: `database` (opening, migrations, transactions),
`notes` (sections read, drafts, settings), `cards` (the card cache replayed from the log), `log`
(appending and importing) and `queue` (what is due).
"""

from __future__ import annotations

from pathlib import Path

from progress.cards import PARAMETERS_KEY
from progress.database import MIGRATIONS, SCHEMA_VERSION, ImportConflict, StoreError, connect
from progress.log import FULL_REPLAY_ABOVE, Log, RecordResult
from progress.queue import DueItem, Queue, QueueItem
from progress.schedule import ScheduleConfig

__all__ = [
    "FULL_REPLAY_ABOVE",
    "MIGRATIONS",
    "PARAMETERS_KEY",
    "SCHEMA_VERSION",
    "DueItem",
    "QueueItem",
    "ImportConflict",
    "RecordResult",
    "Store",
    "StoreError",
]


class Store(Log, Queue):
    """The learner's progress; safe to share between threads and between processes."""

    @classmethod
    def open(cls, path: Path, config: ScheduleConfig | None = None) -> Store:
        """Open (creating and migrating as needed) the progress file at `path`."""
        path = Path(path).expanduser()
        store = cls(connect(path), path, config or ScheduleConfig())
        store._refresh_cache_if_stale()
        return store
