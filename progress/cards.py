"""The card cache: each item's FSRS card, replayed from its log when the log or settings change."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from fsrs import Card

from progress import clock
from progress.entry import SELECT, LogEntry
from progress.notes import Notes
from progress.schedule import ItemState, ScheduleConfig, replay

PARAMETERS_KEY = "fsrs.parameters"


class CardCache(Notes):
    """Cached cards (a function of the log and the schedule settings) and those settings."""

    def __init__(self, conn: sqlite3.Connection, path: Path, config: ScheduleConfig) -> None:
        super().__init__(conn, path)
        self._base_config = config
        self.config = self._with_saved_parameters(config)

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
        rows = conn.execute(f"SELECT {SELECT} FROM log ORDER BY item_id, at_us, uuid").fetchall()
        by_item: dict[str, list[LogEntry]] = {}
        for row in rows:
            by_item.setdefault(row[2], []).append(LogEntry.from_row(row))
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

    def _replay_item(self, conn: sqlite3.Connection, item_id: str) -> ItemState:
        rows = conn.execute(
            f"SELECT {SELECT} FROM log WHERE item_id = ? ORDER BY at_us, uuid", (item_id,)
        ).fetchall()
        state = replay(item_id, [LogEntry.from_row(row) for row in rows], self.config)
        self._write_card(conn, state)
        return state

    @staticmethod
    def _write_card(conn: sqlite3.Connection, state: ItemState) -> None:
        card = state.card
        conn.execute(
            "INSERT OR REPLACE INTO cards (item_id, card, state, due_us, stability, "
            "last_review_us, reps, lapses, attempts, variants, first_us) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
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

    # ------------------------------------------------------------------ cards
    def item_state(self, item_id: str) -> ItemState:
        """Replay one item's log (read only) for a detailed view."""
        rows = self._read(
            f"SELECT {SELECT} FROM log WHERE item_id = ? ORDER BY at_us, uuid", (item_id,)
        )
        return replay(item_id, [LogEntry.from_row(row) for row in rows], self.config)

    def card(self, item_id: str) -> Card | None:
        """The cached FSRS card of an item (None if never reviewed)."""
        rows = self._read("SELECT card FROM cards WHERE item_id = ?", (item_id,))
        return Card.from_json(rows[0][0]) if rows and rows[0][0] else None

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
