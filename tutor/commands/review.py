"""`tutor review`: awaits issue #5."""

from __future__ import annotations

import argparse

from tutor.commands._pending import pending
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Report that this command is not built yet."""
    return pending("review", 5, "progress and spaced-repetition review")
