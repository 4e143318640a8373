"""Fitting FSRS parameters to the learner's own log (the optimizer extra: torch and pandas)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from progress.clock import parse_instant
from progress.entry import LogEntry
from progress.optimize import MIN_CROSS_DAY_REVIEWS, OptimizeError, history, optimize
from progress.schedule import ScheduleConfig
from progress.store import Store

T0 = parse_instant("2025-01-01T09:00:00+00:00")


def long_history(items: int) -> list[LogEntry]:
    rng = random.Random(3)
    entries = []
    for item in range(items):
        at = T0 + timedelta(minutes=item)
        for review in range(11):
            right = rng.random() < 0.8
            entries.append(
                LogEntry(
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "attempt",
                    f"1.ex{item}",
                    at,
                    variant=review,
                    correct=right,
                    rating=3 if right else 1,
                    duration_ms=30_000,
                )
            )
            at += timedelta(days=40 * (review + 1))
    return entries


def test_too_little_history_is_explained(tmp_path: Path) -> None:
    with Store.open(tmp_path / "progress.sqlite3") as store:
        store.import_entries(long_history(5))
        with pytest.raises(OptimizeError, match=f"at least {MIN_CROSS_DAY_REVIEWS} reviews"):
            optimize(store)
        assert store.config.parameters == ScheduleConfig().parameters


@pytest.mark.slow
def test_enough_history_fits_saves_and_applies_parameters(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("pandas")
    path = tmp_path / "progress.sqlite3"
    with Store.open(path) as store:
        store.import_entries(long_history(100))
        assert history(store).cross_day >= MIN_CROSS_DAY_REVIEWS
        before = {item.item_id: item.due for item in store.due(T0 + timedelta(days=4000))}
        fitted = optimize(store)
        assert len(fitted) == len(ScheduleConfig().parameters)
        assert tuple(fitted) != ScheduleConfig().parameters
        assert store.config.parameters == tuple(fitted)
        after = {item.item_id: item.due for item in store.due(T0 + timedelta(days=4000))}
        assert after != before
    with Store.open(path) as reopened:
        assert reopened.config.parameters == tuple(fitted)
        reopened.save_parameters(None)
        assert reopened.config.parameters == ScheduleConfig().parameters
