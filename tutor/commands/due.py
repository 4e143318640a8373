"""`tutor due [--json]`: what is due now, soonest first, with section and retrievability."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from progress import clock
from progress.store import StoreError
from tutor.course.loader import ContentError, load_course
from tutor.recording import course_items, left_out_of_reviews, open_store, section_of
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the due list; exit 0, or 2 when the progress file or the course cannot be used."""
    try:
        now = clock.now()
        course = load_course()
        store = open_store(settings)
        left_out = left_out_of_reviews(course, store)
        due = store.due(now, left_out)
        queue = store.review_queue(
            course_items(course),
            settings.new_per_day,
            settings.reviews_per_day,
            now,
            leave_out=left_out,
        )
    except (StoreError, ContentError, clock.ClockError) as exc:
        print(f"tutor due: {exc}", file=sys.stderr)
        return 2
    sections = section_of(course)
    known = set(sections)
    rows: list[dict[str, Any]] = [
        {
            "id": item.item_id,
            "section": sections.get(item.item_id, ""),
            "title": _title(course, item.item_id),
            "due": item.due.isoformat(),
            "state": item.state,
            "retrievability": round(item.retrievability, 4),
            "lapses": item.lapses,
            "leech": item.leech,
        }
        for item in due
        if item.item_id in known
    ]
    new_available = sum(1 for entry in queue if entry.new)
    if args.json:
        print(
            json.dumps(
                {"now": now.isoformat(), "due": rows, "new_available": new_available}, indent=2
            )
        )
        return 0
    if not rows:
        print("Nothing is due for review now.")
    for row in rows:
        when = clock.parse_instant(row["due"]).astimezone().strftime("%Y-%m-%d %H:%M")
        flag = (
            f"  LEECH: study its worked solution, then a fresh variant (tutor show {row['id']} "
            f"--variant {store.next_variant(row['id'])})"
            if row["leech"]
            else ""
        )
        print(
            f"{row['id']:<10} §{row['section']:<6} {when}  recall {row['retrievability']:.0%}  "
            f"{row['title']}{flag}"
        )
    print(f"{len(rows)} due; {new_available} new exercise(s) available today (tutor review).")
    return 0


def _title(course: Any, item_id: str) -> str:
    try:
        return str(course.find(item_id)[1].title)
    except KeyError:
        return ""
