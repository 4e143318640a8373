"""One module per CLI command, each with `run(args, settings) -> exit status`."""

from __future__ import annotations
