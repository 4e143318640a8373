"""Export and import: JSON lines, merge by UUID, idempotent, divergent histories, bad lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from progress.clock import parse_instant
from progress.logio import LogFormatError, export_log, import_log
from progress.store import Store

T0 = parse_instant("2026-03-02T10:00:00+00:00")
LATER = T0 + timedelta(days=30)


def due_list(store: Store) -> list[tuple[str, str]]:
    return [(item.item_id, item.due.isoformat()) for item in store.due(LATER)]


def study(store: Store, items: list[str], start_day: int, days: int) -> None:
    for day in range(start_day, start_day + days):
        at = T0 + timedelta(days=day)
        for n, item in enumerate(items):
            right = (day + n) % 4 != 0
            store.record(
                item,
                variant=day,
                correct=right,
                rating=3 if right else 1,
                at=at + timedelta(minutes=n),
                utc_offset_min=60,
            )


@pytest.fixture
def studied(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "a" / "progress.sqlite3")
    study(store, ["1.ex1", "1.ex2", "1.ex3"], 0, 6)
    store.undo(store.entries()[-1].uuid, T0 + timedelta(days=6))
    yield store
    store.close()


def test_export_then_import_into_an_empty_dir_gives_the_same_due_list(
    studied: Store, tmp_path: Path
) -> None:
    exported = tmp_path / "log.jsonl"
    assert export_log(studied, exported) == len(studied.entries())
    with Store.open(tmp_path / "b" / "progress.sqlite3") as other:
        assert import_log(other, exported) == (len(studied.entries()), len(studied.entries()))
        assert due_list(other) == due_list(studied)
        assert other.entries() == studied.entries()


def test_importing_twice_changes_nothing(studied: Store, tmp_path: Path) -> None:
    exported = tmp_path / "log.jsonl"
    export_log(studied, exported)
    before = due_list(studied)
    added, total = import_log(studied, exported)
    assert added == 0 and total > 0
    assert due_list(studied) == before


def test_two_divergent_logs_merge_into_their_union(studied: Store, tmp_path: Path) -> None:
    shared = tmp_path / "shared.jsonl"
    export_log(studied, shared)
    with Store.open(tmp_path / "b" / "progress.sqlite3") as box_b:
        import_log(box_b, shared)
        study(studied, ["1.ex1", "1.ex4"], 8, 3)
        study(box_b, ["1.ex2", "1.ex5"], 9, 3)
        from_a, from_b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
        export_log(studied, from_a)
        export_log(box_b, from_b)
        import_log(studied, from_b)
        import_log(box_b, from_a)
        assert studied.entries() == box_b.entries()
        assert due_list(studied) == due_list(box_b)
        assert {item for item, _ in due_list(studied)} >= {"1.ex4", "1.ex5"}
    with Store.open(tmp_path / "c" / "progress.sqlite3") as fresh:
        import_log(fresh, from_b)
        import_log(fresh, from_a)
        assert due_list(fresh) == due_list(studied)


GOOD_LINE = {
    "uuid": "6f1c1d1e-0000-4000-8000-000000000001",
    "kind": "attempt",
    "item_id": "1.ex1",
    "at": "2026-03-02T10:00:00+00:00",
    "rating": 3,
    "correct": True,
}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps([1, 2]), "expected a JSON object"),
        (json.dumps({**GOOD_LINE, "uuid": "nope"}), "is not a UUID"),
        (json.dumps({**GOOD_LINE, "kind": "delete"}), "kind must be one of"),
        (json.dumps({**GOOD_LINE, "at": "2026-03-02T10:00:00"}), "no UTC offset"),
        (json.dumps({**GOOD_LINE, "rating": 7}), "rating must be 1 to 4"),
        (json.dumps({**GOOD_LINE, "variant": "two"}), "'variant' must be a whole number"),
        (json.dumps({**GOOD_LINE, "colour": "red"}), "unknown field 'colour'"),
        (json.dumps({**GOOD_LINE, "kind": "undo"}), "needs the 'target' UUID"),
    ],
)
def test_a_bad_line_names_the_line_and_imports_nothing(
    tmp_path: Path, bad: str, message: str
) -> None:
    path = tmp_path / "log.jsonl"
    second = {**GOOD_LINE, "uuid": "6f1c1d1e-0000-4000-8000-000000000002"}
    path.write_text("\n".join([json.dumps(GOOD_LINE), json.dumps(second), bad]) + "\n")
    with Store.open(tmp_path / "progress.sqlite3") as store:
        with pytest.raises(LogFormatError, match=rf"log.jsonl:3: .*{message}"):
            import_log(store, path)
        assert store.log_count() == 0


def test_a_conflicting_uuid_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    with Store.open(tmp_path / "progress.sqlite3") as store:
        path.write_text(json.dumps(GOOD_LINE) + "\n")
        import_log(store, path)
        changed = {**GOOD_LINE, "rating": 1}
        fresh = {**GOOD_LINE, "uuid": "6f1c1d1e-0000-4000-8000-000000000009"}
        path.write_text(json.dumps(fresh) + "\n" + json.dumps(changed) + "\n")
        with pytest.raises(
            LogFormatError, match="log.jsonl:2: .*already in your progress with different"
        ):
            import_log(store, path)
        assert store.log_count() == 1
