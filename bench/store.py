"""Progress figures: the due queue over a large store and one committed attempt, each beside plain
SQLite."""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

CARDS = 10_000
ROWS_PER_CARD = 10
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
"""The clock of the due-queue query: after every synthetic review."""


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` in milliseconds over `runs` calls (after one untimed
    warm-up)."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def synthetic_log(cards: int = CARDS, rows_per_card: int = ROWS_PER_CARD, seed: int = 0) -> list:
    """`cards × rows_per_card` graded attempts spread over a year, 85 % right (seeded)."""
    from progress.entry import LogEntry

    rng = random.Random(seed)
    start = NOW - timedelta(days=400)
    entries = []
    for index in range(cards):
        at = start + timedelta(minutes=rng.randrange(60 * 24 * 30))
        for _ in range(rows_per_card):
            at += timedelta(days=rng.uniform(0.5, 30))
            correct = rng.random() < 0.85
            entries.append(
                LogEntry(
                    uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    kind="attempt",
                    item_id=f"9.ex{index}",
                    at=min(at, NOW - timedelta(hours=1)),
                    correct=correct,
                    rating=3 if correct else 1,
                    duration_ms=rng.randrange(5_000, 300_000),
                )
            )
    return entries


def due_queue(folder: Path, cards: int = CARDS, runs: int = 7) -> dict[str, float]:
    """The review screen's queue (and the due list under it) over `cards` items, vs the bare SQL
    query."""
    from progress.store import Store

    with Store.open(folder / "big.sqlite3") as store:
        started = time.perf_counter()
        added = store.import_entries(synthetic_log(cards))
        build_s = time.perf_counter() - started
        order = [f"9.ex{index}" for index in range(cards)]
        queue_ms = median_ms(lambda: store.review_queue(order, 20, 200, at=NOW), runs)
        due_ms = median_ms(lambda: store.due(at=NOW), runs)
        count_ms = median_ms(lambda: store.due_count(at=NOW), runs)
    conn = sqlite3.connect(str(folder / "big.sqlite3"))
    try:
        sql_ms = median_ms(
            lambda: conn.execute(
                "SELECT item_id, due_us, stability, last_review_us FROM cards WHERE card IS "
                "NOT NULL "
                "ORDER BY due_us"
            ).fetchall(),
            runs,
        )
    finally:
        conn.close()
    return {
        "due_queue_ms": round(queue_ms, 2),
        "due_list_ms": round(due_ms, 2),
        "due_count_ms": round(count_ms, 2),
        "due_queue_sql_ms": round(sql_ms, 2),
        "due_queue_log_rows": added,
        "due_queue_build_s": round(build_s, 1),
    }


def record_attempt(folder: Path, runs: int = 20) -> dict[str, float]:
    """`tutor.recording.record_attempt` (one committed attempt) vs a bare SQLite
    insert-and-commit."""
    from tutor.practice.outcome import Attempt
    from tutor.recording import close_stores, record_attempt
    from tutor.settings import Settings

    settings = Settings(data_dir=folder / "data")
    items = iter(range(10_000))

    def one() -> None:
        record_attempt(settings, Attempt(f"1.ex{next(items) % 20 + 1}", 0, True, 30.0, 300))

    try:
        ms = median_ms(one, runs)
    finally:
        close_stores()
    conn = sqlite3.connect(str(folder / "bare.sqlite3"), isolation_level=None)
    try:
        conn.execute(
            "CREATE TABLE log (uuid TEXT PRIMARY KEY, item_id TEXT, at_us INTEGER, rating INTEGER)"
        )

        def bare() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO log VALUES (?, ?, ?, ?)",
                (str(uuid.uuid4()), "1.ex1", time.time_ns(), 3),
            )
            conn.execute("COMMIT")

        bare_ms = median_ms(bare, runs)
    finally:
        conn.close()
    return {"record_attempt_ms": round(ms, 2), "record_commit_sql_ms": round(bare_ms, 2)}


def measure(quick: bool = False) -> dict[str, float]:
    """Both progress figures in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as name:
        folder = Path(name)
        figures = record_attempt(folder, runs=10 if quick else 30)
        figures.update(due_queue(folder, runs=3 if quick else 7))
    return figures
