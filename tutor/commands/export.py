"""`tutor export FILE`: write the review log as JSON lines, to carry progress to another machine.

The log includes every suspend/unsuspend and every lab added to or removed from the reviews.

`tutor export -` writes the log to standard output: `tutor export - | ssh gpu tutor import -`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from progress.logio import export_log, write_entries
from progress.store import StoreError
from tutor.plain import escape_controls
from tutor.recording import open_store
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when written, 2 when the progress file or FILE cannot be used."""
    to_stdout = args.file == "-"
    path = Path(args.file)
    try:
        store = open_store(settings)
        marks = len(store.mark_entries())
        if to_stdout:
            entries = store.entries()
            write_entries(entries, sys.stdout, store.mark_entries())
            count = len(entries) + marks
        else:
            count = export_log(store, path)
    except StoreError as exc:
        print(f"tutor export: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        where = escape_controls(str(path))
        print(f"tutor export: cannot write {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    # With the log on standard output the count goes to standard error: a pipe gets JSON lines only.
    where = "standard output" if to_stdout else escape_controls(str(path))
    detail = f" ({marks} of them suspend or lab changes)" if marks else ""
    print(
        f"Wrote {count} log entries{detail} to {where}.",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0
