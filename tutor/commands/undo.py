"""`tutor undo [UUID]`: take back one of your attempts (or a whole showing) by its UUID.

Without a UUID it takes back the latest attempt `tutor check` recorded here, never whatever another
process (the app, another terminal) logged last."""

from __future__ import annotations

import argparse
import sys
import uuid as uuid_module

from progress import clock
from progress.store import StoreError
from tutor.plain import escape_controls
from tutor.recording import LAST_CLI_ATTEMPT_KEY, due_text, last_cli_attempt, open_store, undo
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when something was undone, 2 when nothing can be undone or the store is unusable."""
    given = args.uuid.strip() if args.uuid else ""
    if given:
        try:
            given = str(uuid_module.UUID(given))
        except ValueError:
            shown = escape_controls(given[:60])
            print(
                f"tutor undo: {shown!r} is not a UUID; give one `tutor check` printed, or one "
                "from `tutor card ID`",
                file=sys.stderr,
            )
            return 2
    try:
        uuid = given or last_cli_attempt(settings)
        if uuid is None:
            # An empty value is what a previous undo left: say so, not that nothing was ever
            # checked here (older checks remain, undoable by their UUID).
            already = open_store(settings).get_setting(LAST_CLI_ATTEMPT_KEY) == ""
            why = (
                "the latest `tutor check` made here is already undone"
                if already
                else "`tutor check` has recorded nothing in this data dir"
            )
            print(
                f"tutor undo: nothing here to undo without a UUID: {why}; give an attempt's "
                "UUID (`tutor card ID` lists them)",
                file=sys.stderr,
            )
            return 2
        undone = undo(settings, uuid)
        store = open_store(settings)
        if not given:
            store.set_setting(LAST_CLI_ATTEMPT_KEY, "")
        card = store.card(undone.item_id)
        now = clock.now()
    except (StoreError, clock.ClockError) as exc:
        print(f"tutor undo: {escape_controls(str(exc))}", file=sys.stderr)
        return 2
    count = len(undone.attempts)
    when = undone.at.astimezone().strftime("%Y-%m-%d %H:%M")
    rated = f"rated {undone.rating.label}"
    if count == 1:
        print(f"Undid attempt {undone.attempts[0]} on {undone.item_id} made {when} ({rated}).")
    else:
        print(
            f"Undid showing {uuid} on {undone.item_id}, {count} attempts, the last made {when} "
            f"({rated}):"
        )
        for attempt in undone.attempts:
            print(f"  {attempt}")
    if card is None:
        print(f"{undone.item_id} is new again: no review of it is in force.")
    else:
        print(f"{undone.item_id} is next due {due_text(now, card.due, settings.day_starts_hour)}.")
    return 0
