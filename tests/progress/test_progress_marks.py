"""Suspensions and added labs travel by export/import and merge alike on every box."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from progress.logio import LogFormatError, export_log, import_log
from progress.store import MIGRATIONS, SCHEMA_VERSION, Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LABS = {"1.lab1"}
ITEMS = {"1.ex1", "1.ex2", "1.ex3", "1.lab1"}


@pytest.fixture
def boxes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, Store]]:
    """Two learners' boxes, with the clock after every change the tests make."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("TUTOR_NOW", (T0 + timedelta(days=10)).isoformat())
    a = Store.open(tmp_path / "a" / "progress.sqlite3")
    b = Store.open(tmp_path / "b" / "progress.sqlite3")
    yield a, b
    a.close()
    b.close()


def carry(source: Store, target: Store, path: Path) -> tuple[int, int]:
    """Export `source` and import the file into `target`."""
    export_log(source, path)
    return import_log(target, path, ITEMS, LABS)


def state(store: Store) -> tuple[set[str], set[str]]:
    return store.suspended(), store.marked("added")


def test_marks_survive_export_and_import_idempotently(
    boxes: tuple[Store, Store], tmp_path: Path
) -> None:
    a, b = boxes
    a.record("1.ex1", variant=0, correct=True, rating=3, at=T0)
    assert a.set_mark("1.ex1", "suspended", True, T0 + timedelta(hours=1))
    assert a.set_mark("1.lab1", "added", True, T0 + timedelta(hours=2))
    # Nothing changed, so no row is logged.
    assert not a.set_mark("1.lab1", "added", True, T0 + timedelta(hours=3))
    assert [entry.kind for entry in a.mark_entries()] == ["suspend", "add-lab"]
    path = tmp_path / "a.jsonl"
    assert carry(a, b, path) == (3, 3)
    assert state(b) == ({"1.ex1"}, {"1.lab1"})
    assert b.mark_entries() == a.mark_entries()
    assert import_log(b, path, ITEMS, LABS) == (0, 3)
    assert state(b) == ({"1.ex1"}, {"1.lab1"})


def test_divergent_mark_histories_merge_the_same_in_either_order(
    boxes: tuple[Store, Store], tmp_path: Path
) -> None:
    a, b = boxes
    a.set_mark("1.ex1", "suspended", True, T0)
    a.set_mark("1.ex3", "suspended", True, T0)
    carry(a, b, tmp_path / "shared.jsonl")
    # Apart: A brings 1.ex1 back and adds the lab; B brings 1.ex1 back too but suspends it again
    # later, suspends 1.ex2, and adds then removes the lab after A's add.
    a.set_mark("1.ex1", "suspended", False, T0 + timedelta(hours=2))
    a.set_mark("1.lab1", "added", True, T0 + timedelta(hours=3))
    b.set_mark("1.ex1", "suspended", False, T0 + timedelta(hours=1))
    b.set_mark("1.ex1", "suspended", True, T0 + timedelta(hours=4))
    b.set_mark("1.ex2", "suspended", True, T0 + timedelta(hours=1))
    b.set_mark("1.lab1", "added", True, T0 + timedelta(hours=1))
    b.set_mark("1.lab1", "added", False, T0 + timedelta(hours=5))
    # The same instant on both boxes: A unsuspends 1.ex3 while B, having unsuspended it a moment
    # before, suspends it again. The larger UUID wins on both.
    at = T0 + timedelta(hours=6)
    a.set_mark("1.ex3", "suspended", False, at)
    b.set_mark("1.ex3", "suspended", False, at - timedelta(minutes=1))
    b.set_mark("1.ex3", "suspended", True, at)
    tied = [entry for entry in a.mark_entries() + b.mark_entries() if entry.at == at]
    assert len(tied) == 2
    winner = max(tied, key=lambda entry: entry.uuid)
    expected_ex3 = {"1.ex3"} if winner.kind == "suspend" else set()

    copies = {name: tmp_path / f"{name}.jsonl" for name in ("a", "b")}
    export_log(a, copies["a"])
    export_log(b, copies["b"])
    # Order 1: A imports B's file, then B imports A's merged one. Order 2 (fresh stores): B first.
    import_log(a, copies["b"], ITEMS, LABS)
    carry(a, b, tmp_path / "a-merged.jsonl")
    with (
        Store.open(tmp_path / "c" / "progress.sqlite3") as c,
        Store.open(tmp_path / "d" / "progress.sqlite3") as d,
    ):
        import_log(c, copies["a"], ITEMS, LABS)
        import_log(d, copies["b"], ITEMS, LABS)
        import_log(d, copies["a"], ITEMS, LABS)
        import_log(c, copies["b"], ITEMS, LABS)
        expected: tuple[set[str], set[str]] = ({"1.ex1", "1.ex2"} | expected_ex3, set())
        for store in (a, b, c, d):
            assert state(store) == expected
            assert store.mark_entries() == a.mark_entries()


def test_a_local_change_after_an_imported_later_one_still_wins_here(
    boxes: tuple[Store, Store], tmp_path: Path
) -> None:
    a, b = boxes
    # A's clock runs ahead of B's.
    a.set_mark("1.ex2", "suspended", True, T0 + timedelta(days=10, hours=20))
    carry(a, b, tmp_path / "a.jsonl")
    assert b.suspended() == {"1.ex2"}
    assert b.set_mark("1.ex2", "suspended", False, T0 + timedelta(days=10))
    assert b.suspended() == set()
    carry(b, a, tmp_path / "b.jsonl")
    assert a.suspended() == set()


def test_version_3_marks_become_the_first_entries_of_the_mark_log(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    for target in range(1, 4):
        for statement in MIGRATIONS[target]:
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO marks (item_id, mark, at_us) VALUES (?, ?, ?)",
        [("1.ex2", "suspended", 1_772_445_600_000_000), ("1.lab1", "added", 1_772_445_700_000_000)],
    )
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert state(store) == ({"1.ex2"}, {"1.lab1"})
        entries = store.mark_entries()
        assert [(entry.kind, entry.item_id) for entry in entries] == [
            ("suspend", "1.ex2"),
            ("add-lab", "1.lab1"),
        ]
        assert all(str(uuid.UUID(entry.uuid)) == entry.uuid for entry in entries)
        assert len({entry.uuid for entry in entries}) == 2
        exported = tmp_path / "out.jsonl"
        export_log(store, exported)
    with Store.open(tmp_path / "other" / "progress.sqlite3") as other:
        import_log(other, exported, ITEMS, LABS)
        assert state(other) == ({"1.ex2"}, {"1.lab1"})
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    conn.close()


def test_a_mark_uuid_already_used_by_a_log_row_is_a_conflict(
    boxes: tuple[Store, Store], tmp_path: Path
) -> None:
    a, b = boxes
    taken = a.record("1.ex1", variant=0, correct=True, rating=3, at=T0).uuid
    path = tmp_path / "clash.jsonl"
    path.write_text(
        '{"format": "la4ml-tutor-log", "version": 3}\n'
        f'{{"uuid": "{taken}", "kind": "suspend", "item_id": "1.ex2", "at": "{T0.isoformat()}"}}\n'
    )
    with pytest.raises(LogFormatError, match=f"clash.jsonl:2: uuid {taken} is already in your"):
        import_log(a, path, ITEMS, LABS)
    assert a.suspended() == set() and a.mark_entries() == []
    # And the other way round: an attempt reusing a mark change's UUID.
    a.set_mark("1.ex2", "suspended", True, T0)
    (mark,) = a.mark_entries()
    path.write_text(
        '{"format": "la4ml-tutor-log", "version": 3}\n'
        f'{{"uuid": "{mark.uuid}", "kind": "attempt", "item_id": "1.ex3", "rating": 3, '
        f'"at": "{T0.isoformat()}"}}\n'
    )
    with pytest.raises(LogFormatError, match=f"clash.jsonl:2: uuid {mark.uuid} is already in"):
        import_log(a, path, ITEMS, LABS)
    assert a.entries("1.ex3") == []
