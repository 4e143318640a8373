"""`tutor import FILE`: merge a JSON-lines log by UUID (importing twice changes nothing) and replay.

`tutor import -` reads the log from standard input."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from progress.logio import LogFormatError, import_entries, import_log, parse_log
from progress.store import StoreError
from tutor.course.loader import ContentError, load_course
from tutor.plain import escape_controls
from tutor.recording import open_store
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when merged, 2 on a bad file (nothing is imported) or an unusable progress file."""
    from_stdin = args.file == "-"
    try:
        known = _known_items()
        store = open_store(settings)
        if from_stdin:
            parsed = parse_log(_read_stdin(), "<stdin>", known, store)
            added, total = import_entries(store, parsed)
        else:
            added, total = import_log(store, Path(args.file), known)
    except (LogFormatError, StoreError, ContentError) as exc:
        print(f"tutor import: {escape_controls(str(exc))}; nothing was imported", file=sys.stderr)
        return 2
    where = "standard input" if from_stdin else escape_controls(args.file)
    print(f"Imported {added} new log entries of {total} in {where}; "
          f"{total - added} were already here.")
    return 0


def _known_items() -> set[str]:
    """Every exercise and lab ID of the course: a log naming anything else is refused."""
    from tutor.recording import course_items

    return set(course_items(load_course()))


def _read_stdin() -> str:
    """All of standard input as UTF-8 text, whatever the locale says."""
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LogFormatError(f"<stdin>: not UTF-8 ({exc.reason} at byte {exc.start})") from None
