"""Entries logged at one instant (a frozen TUTOR_NOW) keep their order; ties between machines go by
UUID."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from progress.logio import export_log, import_log
from progress.schedule import AGAIN, EASY, GOOD, HARD
from progress.store import Store

FROZEN = "2026-03-02T10:00:00+00:00"
ITEM = "1.ex1"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A store under a frozen clock whose UUIDs sort in the reverse of the order they are made.

    Random UUIDs would order same-instant entries by chance; descending ones make a UUID tie-break
    fail every time instead of half the time.
    """
    monkeypatch.setenv("TUTOR_NOW", FROZEN)
    countdown = itertools.count(2**100, -1)
    monkeypatch.setattr("progress.log.uuid_module.uuid4", lambda: uuid.UUID(int=next(countdown)))
    opened = Store.open(tmp_path / "a" / "progress.sqlite3")
    yield opened
    opened.close()


def attempt(store: Store, rating: int = GOOD) -> str:
    return store.record(ITEM, variant=1, correct=True, rating=rating, utc_offset_min=0).uuid


def reference_due(tmp_path: Path, rating: int) -> object:
    """The due time of a single attempt overridden once with `rating`."""
    with Store.open(tmp_path / "ref" / "progress.sqlite3") as plain:
        first = plain.record(ITEM, variant=1, correct=True, rating=GOOD, utc_offset_min=0).uuid
        return plain.override(first, rating).due


def test_the_last_of_two_overrides_at_one_instant_wins(store: Store, tmp_path: Path) -> None:
    first = attempt(store)
    assert store.override(first, HARD).rating == HARD
    result = store.override(first, EASY)
    assert result.rating == EASY
    assert store.item_state(ITEM).ratings == {first: EASY}
    assert result.due == reference_due(tmp_path, EASY)
    store.rebuild()
    card = store.card(ITEM)
    assert card is not None and card.due == result.due


def test_undo_at_the_same_instant_cancels_the_named_attempt(store: Store) -> None:
    first = attempt(store)
    second = attempt(store, EASY)
    assert store.undo(second).attempts == (second,)
    assert store.item_state(ITEM).ratings == {first: GOOD}
    assert store.undo(first).attempts == (first,)
    assert store.card(ITEM) is None


def test_entries_list_same_instant_rows_in_logged_order(store: Store) -> None:
    first = attempt(store)
    store.override(first, HARD)
    store.override(first, EASY)
    kinds = [(entry.kind, entry.rating) for entry in store.entries(ITEM)]
    assert kinds == [("attempt", GOOD), ("override", HARD), ("override", EASY)]


def test_export_then_import_keeps_the_outcome_of_same_instant_entries(
    store: Store, tmp_path: Path
) -> None:
    first = attempt(store)
    store.override(first, HARD)
    store.override(first, EASY)
    second = attempt(store)
    store.undo(second)
    exported = tmp_path / "log.jsonl"
    export_log(store, exported)
    with Store.open(tmp_path / "b" / "progress.sqlite3") as other:
        assert import_log(other, exported) == (5, 5)
        assert other.entries() == store.entries()
        state = other.item_state(ITEM)
        assert state.ratings == {first: EASY} and second not in state.ratings
        assert other.card(ITEM) == store.card(ITEM)
        assert import_log(other, exported) == (0, 5)
        assert other.card(ITEM) == store.card(ITEM)


def test_same_instant_entries_from_two_machines_give_the_same_cards_in_either_import_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two boxes log the same item at the very same instant; each imports the other's export."""
    monkeypatch.setenv("TUTOR_NOW", FROZEN)
    boxes = [Store.open(tmp_path / name / "progress.sqlite3") for name in ("a", "b")]
    try:
        boxes[0].record(ITEM, variant=1, correct=True, rating=GOOD, utc_offset_min=0)
        boxes[1].record(ITEM, variant=2, correct=False, rating=AGAIN, utc_offset_min=0)
        exports = [tmp_path / f"{index}.jsonl" for index in range(2)]
        for box, path in zip(boxes, exports, strict=True):
            export_log(box, path)
        import_log(boxes[0], exports[1])
        import_log(boxes[1], exports[0])
        assert boxes[0].entries() == boxes[1].entries()
        assert len({entry.at for entry in boxes[0].entries()}) == 1
        assert boxes[0].card(ITEM) == boxes[1].card(ITEM)
        # The replay order is (time, UUID): the smaller UUID's showing came first on both boxes.
        first = min(entry.uuid for entry in boxes[0].entries())
        assert boxes[0].item_state(ITEM).showings[0].showing == first
    finally:
        for box in boxes:
            box.close()
