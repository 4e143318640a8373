"""Fit the FSRS parameters to the learner's own log (the `fsrs[optimizer]` extra: torch, pandas)."""

from __future__ import annotations

from dataclasses import dataclass

from fsrs import Rating, ReviewLog

from progress.entry import LogEntry
from progress.schedule import card_id_for, replay
from progress.store import Store

MIN_CROSS_DAY_REVIEWS = 512
"""Below this many reviews a day or more apart, fsrs's optimizer returns the defaults unchanged."""


class OptimizeError(Exception):
    """The optimizer cannot run (too little history, or its extra is not installed)."""


@dataclass(frozen=True)
class History:
    """The counted reviews the optimizer would learn from."""

    logs: list[ReviewLog]
    cross_day: int


def history(store: Store) -> History:
    """fsrs ReviewLogs of every showing that changed the schedule (one each, with its rating)."""
    by_item: dict[str, list[LogEntry]] = {}
    for entry in store.entries():
        by_item.setdefault(entry.item_id, []).append(entry)
    logs: list[ReviewLog] = []
    cross_day = 0
    for item_id, entries in by_item.items():
        state = replay(item_id, entries, store.config)
        durations = {entry.uuid: entry.duration_ms for entry in entries}
        previous = None
        for showing in state.showings:
            if not showing.counted:
                continue
            if previous is not None and (showing.end - previous).days > 0:
                cross_day += 1
            previous = showing.end
            logs.append(
                ReviewLog(
                    card_id=card_id_for(item_id),
                    rating=Rating(int(showing.rating)),
                    review_datetime=showing.end,
                    # The last attempt's duration runs from opening the item: the showing's time.
                    review_duration=durations[showing.attempts[-1]],
                )
            )
    return History(logs, cross_day)


def optimize(store: Store) -> list[float]:
    """Fit, save and apply new parameters; OptimizeError when there is too little history."""
    found = history(store)
    if found.cross_day < MIN_CROSS_DAY_REVIEWS:
        raise OptimizeError(
            f"the optimizer needs at least {MIN_CROSS_DAY_REVIEWS} reviews made a day or more "
            "after the "
            f"previous one; your log has {found.cross_day}. Keep reviewing and try again later."
        )
    try:
        from fsrs.optimizer import Optimizer

        optimizer = Optimizer(found.logs)
    except ImportError as exc:
        raise OptimizeError(
            f"the FSRS optimizer is not installed ({exc}); "
            'install it with: pip install "fsrs[optimizer]"'
        ) from None
    parameters = [float(value) for value in optimizer.compute_optimal_parameters()]
    store.save_parameters(parameters)
    return parameters
