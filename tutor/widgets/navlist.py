"""An option list that also moves with j/k and jumps with g/G, as a pager does."""

from __future__ import annotations

from textual.binding import Binding
from textual.events import Focus
from textual.widgets import OptionList


class NavList(OptionList):
    """OptionList with vi-style movement; enter selects (posts `OptionList.OptionSelected`)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="nav-down"),
        Binding("k", "cursor_up", "Up", show=False, id="nav-up"),
        Binding("g", "first", "First", show=False, id="nav-first"),
        Binding("G", "last", "Last", show=False, id="nav-last"),
    ]

    def _on_focus(self, event: Focus) -> None:
        # Arriving by tab, the first entry should be ready for enter, not nothing.
        super()._on_focus(event)
        if self.highlighted is None and self.option_count:
            self.highlighted = 0
