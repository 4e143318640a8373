"""`tutor import FILE`: merge a JSON-lines log by UUID (importing twice changes nothing) and replay.

`tutor import -` reads the log from standard input. Suspensions and labs added to the reviews come
with the log; the latest change of each, by time then UUID, wins on every box."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from progress.logio import LogFormatError, import_entries, import_log, parse_log
from progress.store import Store, StoreError
from tutor.course.loader import ContentError, load_course
from tutor.plain import escape_controls
from tutor.recording import open_store
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when merged, 2 on a bad file (nothing is imported) or an unusable progress file."""
    from_stdin = args.file == "-"
    try:
        known, labs = _known_items()
        store = open_store(settings)
        before = _marks(store)
        if from_stdin:
            parsed = parse_log(_read_stdin(), "<stdin>", known, store, labs)
            added, total = import_entries(store, parsed)
        else:
            added, total = import_log(store, Path(args.file), known, labs)
        after = _marks(store)
    except (LogFormatError, StoreError, ContentError) as exc:
        print(f"tutor import: {escape_controls(str(exc))}; nothing was imported", file=sys.stderr)
        return 2
    where = "standard input" if from_stdin else escape_controls(args.file)
    print(
        f"Imported {added} new log entries of {total} in {where}; "
        f"{total - added} were already here."
    )
    for line in _mark_changes(before, after, labs):
        print(line)
    return 0


def _known_items() -> tuple[set[str], set[str]]:
    """Every exercise and lab ID of the course (a log naming anything else is refused), and the
    labs among them (only they can be added to the reviews)."""
    from tutor.recording import course_items, lab_ids

    course = load_course()
    return set(course_items(course)), lab_ids(course)


def _marks(store: Store) -> tuple[set[str], set[str]]:
    """(suspended items, labs added to the reviews)."""
    return store.suspended(), store.marked("added")


def _mark_changes(
    before: tuple[set[str], set[str]], after: tuple[set[str], set[str]], labs: set[str]
) -> list[str]:
    """One line per item whose place in the reviews the import changed."""
    (suspended_before, added_before), (suspended_after, added_after) = before, after
    lines = [f"{item} is now suspended." for item in sorted(suspended_after - suspended_before)]
    lines += [
        f"{item} is no longer suspended." for item in sorted(suspended_before - suspended_after)
    ]
    lines += [
        f"{item} is now in the reviews." for item in sorted((added_after - added_before) & labs)
    ]
    lines += [
        f"{item} is out of the reviews again."
        for item in sorted((added_before - added_after) & labs)
    ]
    return lines


def _read_stdin() -> str:
    """All of standard input as UTF-8 text, whatever the locale says."""
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LogFormatError(f"<stdin>: not UTF-8 ({exc.reason} at byte {exc.start})") from None
