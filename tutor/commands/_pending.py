"""Shared message for commands whose capability has not landed yet."""

from __future__ import annotations

import sys


def pending(command: str, issue: int, capability: str) -> int:
    """Say which issue's capability the command awaits; exit status 2."""
    print(
        f"tutor {command}: not available yet; it arrives with issue #{issue} ({capability}).",
        file=sys.stderr,
    )
    return 2
