"""`tutor export FILE`: write the review log as JSON lines, to carry progress to another machine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from progress.logio import export_log
from progress.store import StoreError
from tutor.recording import open_store
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when written, 2 when the progress file or FILE cannot be used."""
    path = Path(args.file)
    try:
        count = export_log(open_store(settings), path)
    except StoreError as exc:
        print(f"tutor export: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tutor export: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Wrote {count} log entries to {path}.")
    return 0
