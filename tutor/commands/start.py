"""`tutor start [--section ID]`: open the Textual app."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING

from tutor.settings import Settings

if TYPE_CHECKING:
    import argparse
    from types import SimpleNamespace


def terminal_problem() -> str | None:
    """Why the app cannot take over this terminal, or None when it can."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "standard input/output is not a terminal"
    if os.environ.get("TERM", "") in {"", "dumb"}:
        return "TERM is unset or 'dumb', so the terminal cannot show a full-screen app"
    return None


def run(
    args: argparse.Namespace | SimpleNamespace, settings: Settings, *, review: bool = False
) -> int:
    """Start the app, or explain why not and point to the plain commands."""
    problem = terminal_problem()
    if problem:
        print(
            f"tutor: {problem}.\n"
            "Use the plain commands instead: `tutor show ID` to read, `tutor check ID --answer …` "
            "to answer, `tutor due` for what is due.",
            file=sys.stderr,
        )
        return 2
    # Importing Textual and building the first screen allocate some 300k objects that live as long
    # as the app; the cyclic collector's passes over them cost 20-30 ms (measured with gc.callbacks)
    # before the first frame. Collection is paused until that frame is out (TutorApp.on_ready).
    gc.disable()
    from tutor.app import TutorApp

    app = TutorApp(
        settings, start_section=getattr(args, "section", None), start_review=review, resume_gc=True
    )
    try:
        app.run()
    finally:
        gc.enable()
    return app.return_code or 0
