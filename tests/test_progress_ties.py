"""Log entries sharing one instant (a frozen TUTOR_NOW) replay in the order they were logged."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from progress.logio import export_log, import_log
from progress.schedule import EASY, GOOD, HARD
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
    """The due time of a single attempt logged with `rating` directly."""
    with Store.open(tmp_path / "ref" / "progress.sqlite3") as plain:
        return plain.record(ITEM, variant=1, correct=True, rating=rating, utc_offset_min=0).due


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


def test_undo_at_the_same_instant_cancels_the_latest_attempt(store: Store) -> None:
    first = attempt(store)
    second = attempt(store, EASY)
    assert store.undo_last() == second
    assert store.item_state(ITEM).ratings == {first: GOOD}
    assert store.undo_last() == first
    assert store.card(ITEM) is None
    assert store.undo_last() is None


def test_entries_list_same_instant_rows_in_logged_order(store: Store) -> None:
    first = attempt(store)
    store.override(first, HARD)
    store.override(first, EASY)
    kinds = [(entry.kind, entry.rating) for entry in store.entries(ITEM)]
    assert kinds == [("attempt", GOOD), ("override", HARD), ("override", EASY)]


def test_export_then_import_keeps_the_outcome_of_same_instant_entries(store: Store, tmp_path: Path) -> None:
    first = attempt(store)
    store.override(first, HARD)
    store.override(first, EASY)
    second = attempt(store)
    store.undo_last()
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
