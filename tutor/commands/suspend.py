"""`tutor suspend ID` / `tutor unsuspend ID`: keep an item out of the reviews, or bring it back.

Labs start out of the reviews (they take an hour, not minutes); `tutor unsuspend LAB` adds one."""

from __future__ import annotations

import argparse
import sys

from progress.store import StoreError
from tutor.commands.items import find_practice_item
from tutor.recording import lab_ids, open_store
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0, or 2 for an unknown ID or an unusable progress file."""
    name = f"tutor {args.command}"
    found = find_practice_item(name, args.id)
    if found is None:
        return 2
    course, item = found
    on = args.command == "suspend"
    lab = item.id in lab_ids(course)
    try:
        store = open_store(settings)
        changed = store.set_mark(item.id, "suspended", on)
        if lab:
            changed = store.set_mark(item.id, "added", not on) or changed
    except StoreError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    if on:
        state = "suspended: it stays out of the reviews" if changed else "was already suspended"
        print(f"{item.id} {state} (tutor unsuspend {item.id} brings it back).")
    else:
        where = "added to the reviews" if lab else "back in the reviews"
        print(f"{item.id} {where}." if changed else f"{item.id} was already in the reviews.")
    return 0
