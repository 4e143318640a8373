"""What the learner keeps besides the log: sections read, code drafts and key-value settings.

Suspensions and labs added to the reviews are in `progress.marks`, which this builds on."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from progress import clock
from progress.marks import Marks


class Notes(Marks):
    """Sections read, one draft per exercise, and JSON settings, each row replaced in place."""

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
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                (key, json.dumps(value)),
            )
