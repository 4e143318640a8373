"""`tutor import FILE`: merge a JSON-lines log by UUID (importing twice changes nothing) and replay."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from progress.logio import LogFormatError, import_log
from progress.store import StoreError
from tutor.recording import open_store
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when merged, 2 on a bad file (nothing is imported) or an unusable progress file."""
    path = Path(args.file)
    try:
        added, total = import_log(open_store(settings), path)
    except (LogFormatError, StoreError) as exc:
        print(f"tutor import: {exc}; nothing was imported", file=sys.stderr)
        return 2
    print(f"Imported {added} new log entries of {total} in {path}; {total - added} were already here.")
    return 0
