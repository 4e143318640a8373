"""`tutor review`: open the app straight into a review session of what is due."""

from __future__ import annotations

import argparse

from tutor.commands.start import run as start_app
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the app with a review session on top; exit status as for `tutor start`."""
    return start_app(args, settings, review=True)
