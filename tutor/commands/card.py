"""`tutor card ID [--json]`: an item's FSRS card (stability, difficulty, recall) and history."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from progress import clock
from progress.store import StoreError
from tutor.commands.items import find_practice_item
from tutor.recording import due_text, lab_ids, open_store
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0, or 2 for an unknown ID or an unusable progress file."""
    found = find_practice_item("tutor card", args.id)
    if found is None:
        return 2
    course, item = found
    try:
        now = clock.now()
        store = open_store(settings)
        data = card_data(store, args.id, item.id in lab_ids(course), now, settings.day_starts_hour)
    except (StoreError, clock.ClockError) as exc:
        print(f"tutor card: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print(render_text(data, str(item.title)))
    return 0


def card_data(store: Any, item_id: str, lab: bool, now: Any, hour: int) -> dict[str, Any]:
    """The card and its showings as a JSON-ready dict."""
    from progress.schedule import LEECH_LAPSES

    state = store.item_state(item_id)
    card = state.card
    suspended = item_id in store.suspended()
    in_reviews = not suspended and (not lab or item_id in store.marked("added"))
    data: dict[str, Any] = {
        "id": item_id,
        "state": card.state.name.lower() if card is not None else "new",
        "stability_days": round(card.stability, 4) if card is not None and card.stability else None,
        "difficulty": round(card.difficulty, 4) if card is not None and card.difficulty else None,
        "retrievability": round(store.config.scheduler().get_card_retrievability(card, now), 4)
        if card is not None
        else None,
        "due": card.due.isoformat() if card is not None else None,
        "next_review": due_text(now, card.due, hour) if card is not None else None,
        "reviews": state.reps,
        "lapses": state.lapses,
        "leech": state.lapses >= LEECH_LAPSES,
        "suspended": suspended,
        "in_reviews": in_reviews,
        "history": [
            {
                "showing": showing.showing,
                "start": showing.start.isoformat(),
                "end": showing.end.isoformat(),
                "attempts": len(showing.attempts),
                "rating": int(showing.rating),
                "rating_name": showing.rating.label,
                "schedule_changed": showing.counted,
                "was_due": showing.was_due,
                "lapse": showing.lapse,
                "due_after": showing.due.isoformat() if showing.due is not None else None,
            }
            for showing in state.showings
        ],
    }
    return data


def render_text(data: dict[str, Any], title: str) -> str:
    """The plain-text card."""
    lines = [f"{data['id']}  {title}"]
    if data["state"] == "new":
        lines.append("New: never reviewed.")
    else:
        lines += [
            f"State: {data['state']}; next review {data['next_review']}",
            f"Stability: {data['stability_days']:.2f} days; difficulty: {data['difficulty']:.2f} "
            f"(1-10); recall now: {data['retrievability']:.0%}",
            f"Reviews: {data['reviews']}; lapses: {data['lapses']}"
            + ("  LEECH: study the worked solution, then a fresh variant" if data["leech"] else ""),
        ]
    if data["suspended"]:
        lines.append(f"Suspended: out of the reviews (tutor unsuspend {data['id']}).")
    elif not data["in_reviews"]:
        lines.append(f"A lab: out of the reviews until you add it (tutor unsuspend {data['id']}).")
    if data["history"]:
        lines.append("History (one line per showing):")
        for entry in data["history"]:
            when = clock.parse_instant(entry["start"]).astimezone().strftime("%Y-%m-%d %H:%M")
            effect = (
                "lapse"
                if entry["lapse"]
                else "scheduled"
                if entry["schedule_changed"] and entry["was_due"]
                else "not due, counted"
                if entry["schedule_changed"]
                else "practice, schedule unchanged"
            )
            tries = f"{entry['attempts']} attempt{'s' if entry['attempts'] != 1 else ''}"
            lines.append(
                f"  {when}  {entry['rating_name']:<5}  {tries:<11} {effect}"
                f"  [{entry['showing'][:8]}]"
            )
    return "\n".join(lines)
