"""Progress figures: attempts, true retention, activity calendar and streak, forecast, mastery."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from progress import clock
from progress.days import start_of, study_date
from progress.entry import LogEntry
from progress.schedule import replay
from progress.store import Store

FORECAST_DAYS = 14


@dataclass
class Stats:
    """Everything `tutor stats` and the stats screen show."""

    attempts: int = 0
    """Submissions in force (undone ones aside)."""
    correct: int = 0
    showings: int = 0
    """Presentations of an item; each folds its submissions into one rating."""
    scheduled_reviews: int = 0
    """Showings that changed the schedule."""
    practice_ahead: int = 0
    """Showings that passed an item that was not due: logged, schedule unchanged."""
    true_retention: float | None = None
    """Share of first-of-the-day reviews of learned cards that passed (None: no such review)."""
    retention_sample: int = 0
    desired_retention: float = 0.9
    items_seen: int = 0
    streak_days: int = 0
    today: str = ""
    calendar: dict[str, int] = field(default_factory=dict)
    """Study day (ISO date) → attempts that day."""
    forecast: list[tuple[str, int]] = field(default_factory=list)
    """The next 14 study days → items due; today's count includes what is overdue."""
    due_now: int = 0
    mastery: dict[str, float | None] = field(default_factory=dict)
    """Section ID → mean retrievability of its exercises and labs (None: the section has none)."""
    leeches: list[str] = field(default_factory=list)
    total_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`tutor stats --json`)."""
        data = asdict(self)
        data["forecast"] = [{"day": day, "due": count} for day, count in self.forecast]
        return data


def _day_finder(hour: int, tz: tzinfo | None) -> Callable[[datetime], date]:
    """study_date, memoised per quarter hour (every zone's offset is a multiple of 15 minutes)."""
    cache: dict[int, date] = {}

    def find(moment: datetime) -> date:
        key = int(moment.timestamp() // 900)
        day = cache.get(key)
        if day is None:
            day = cache[key] = study_date(moment, hour, tz)
        return day

    return find


def _streak(days: set[date], today: date) -> int:
    """Consecutive study days with activity, ending today (or yesterday, if today is empty)."""
    cursor = today if today in days else today - timedelta(days=1)
    streak = 0
    while cursor in days:
        streak += 1
        cursor -= timedelta(days=1)
    return streak


def compute_stats(
    store: Store,
    sections: Mapping[str, Sequence[str]] | None = None,
    at: datetime | None = None,
    tz: tzinfo | None = None,
    leave_out: Collection[str] = (),
) -> Stats:
    """Replay the whole log (read only) and summarise it; `sections` maps section → item IDs.
    The forecast and the due count leave out suspended items and `leave_out` (labs not added)."""
    moment = at or clock.now()
    hour = store.config.day_starts_hour
    by_item: dict[str, list[LogEntry]] = {}
    for entry in store.entries():
        by_item.setdefault(entry.item_id, []).append(entry)
    stats = Stats(desired_retention=store.config.desired_retention)
    day_of = _day_finder(hour, tz)
    activity: Counter[date] = Counter()
    retention: dict[tuple[str, date], bool] = {}
    for item_id, entries in by_item.items():
        state = replay(item_id, entries, store.config)
        if state.attempts:
            stats.items_seen += 1
        stats.showings += len(state.showings)
        stats.scheduled_reviews += sum(1 for showing in state.showings if showing.counted)
        stats.practice_ahead += sum(1 for showing in state.showings if not showing.counted)
        for when, passed in state.review_results:
            retention.setdefault((item_id, day_of(when)), passed)
        for entry in entries:
            if entry.kind == "attempt" and entry.uuid in state.ratings:
                stats.attempts += 1
                stats.correct += entry.correct
                stats.total_seconds += entry.duration_ms / 1000
                activity[day_of(entry.at)] += 1
        if state.leech:
            stats.leeches.append(item_id)
    if retention:
        stats.retention_sample = len(retention)
        stats.true_retention = sum(retention.values()) / len(retention)
    today = study_date(moment, hour, tz)
    stats.today = today.isoformat()
    stats.calendar = {day.isoformat(): count for day, count in sorted(activity.items())}
    stats.streak_days = _streak(set(activity), today)
    stats.forecast = _forecast(store.due_times(leave_out), hour, today, tz)
    stats.due_now = store.due_count(moment, leave_out)
    stats.leeches.sort()
    if sections:
        known = store.retrievabilities(moment)
        stats.mastery = {
            section: (sum(known.get(item, 0.0) for item in items) / len(items)) if items else None
            for section, items in sections.items()
        }
    return stats


def _forecast(
    due_times: list[int], hour: int, today: date, tz: tzinfo | None
) -> list[tuple[str, int]]:
    """Items due on each of the next FORECAST_DAYS study days (overdue ones count today)."""
    bounds = [
        clock.to_us(start_of(today + timedelta(days=offset), hour, tz))
        for offset in range(1, FORECAST_DAYS + 1)
    ]
    counts = [0] * FORECAST_DAYS
    for due_us in due_times:
        for index, bound in enumerate(bounds):
            if due_us < bound:
                counts[index] += 1
                break
    return [
        ((today + timedelta(days=offset)).isoformat(), counts[offset])
        for offset in range(FORECAST_DAYS)
    ]
