"""`tutor stats [--json] [--optimize]`: attempts, true retention, streak, forecast, mastery."""

from __future__ import annotations

import argparse
import json
import sys

from progress import clock
from progress.stats import Stats, compute_stats
from progress.store import StoreError
from tutor.course.loader import ContentError, load_course
from tutor.recording import left_out_of_reviews, open_store, section_items
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0, or 2 when the progress file or the course cannot be used (or optimizing fails)."""
    try:
        store = open_store(settings)
        if getattr(args, "optimize", False):
            return _optimize(store)
        course = load_course()
        stats = compute_stats(
            store,
            section_items(course),
            clock.now(),
            leave_out=left_out_of_reviews(course, store),
        )
    except (StoreError, ContentError, clock.ClockError) as exc:
        print(f"tutor stats: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(stats.to_dict(), indent=2))
    else:
        print(render_text(stats))
    return 0


def _optimize(store: object) -> int:
    from progress.optimize import OptimizeError, optimize

    try:
        parameters = optimize(store)  # type: ignore[arg-type]
    except OptimizeError as exc:
        print(f"tutor stats --optimize: {exc}", file=sys.stderr)
        return 2
    print("Fitted FSRS parameters to your log and rescheduled every card:")
    print(", ".join(f"{value:.4f}" for value in parameters))
    return 0


def _bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "·" * (width - filled)


def render_text(stats: Stats) -> str:
    """The plain-text report."""
    retention = (
        f"{stats.true_retention:.0%} over {stats.retention_sample} reviews (target "
        f"{stats.desired_retention:.0%})"
        if stats.true_retention is not None
        else "not yet (needs reviews of items you have already learned)"
    )
    minutes = stats.total_seconds / 60
    lines = [
        f"Attempts: {stats.attempts} ({stats.correct} right) on {stats.items_seen} items, "
        f"{minutes:.0f} min",
        f"Showings: {stats.showings}; they changed the schedule {stats.scheduled_reviews} times; "
        f"practice with the schedule unchanged: {stats.practice_ahead}",
        f"True retention: {retention}",
        f"Streak: {stats.streak_days} day(s); due now: {stats.due_now}",
        "Next 14 days: " + " ".join(str(count) for _, count in stats.forecast),
    ]
    if stats.mastery:
        lines.append("Mastery per section:")
        for section, value in stats.mastery.items():
            shown = "no exercises" if value is None else f"{_bar(value)} {value:.0%}"
            lines.append(f"  §{section:<6} {shown}")
    if stats.leeches:
        lines.append(
            "Leeches (study their worked solutions, then a fresh variant: "
            "tutor show ID --variant N): " + ", ".join(stats.leeches)
        )
    return "\n".join(lines)
