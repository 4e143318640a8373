"""`tutor doctor`: awaits issue #4."""

from __future__ import annotations

import argparse

from tutor.commands._pending import pending
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Report that this command is not built yet."""
    return pending("doctor", 4, "code exercises in a sandboxed kernel")
