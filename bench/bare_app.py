"""The baseline: a minimal Textual app that paints one line (run as a script)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App[None]):
    """One Static; the floor any Textual app pays to reach its first frame."""

    def compose(self) -> ComposeResult:
        yield Static("BARE-APP-PAINTED")


if __name__ == "__main__":
    Bare().run()
