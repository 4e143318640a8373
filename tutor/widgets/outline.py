"""Rows of the course outline: sections with read marks and mastery, their exercises and labs
beneath with their review state."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from tutor.course.exercise_schema import CodeExercise, HandExercise, Lab
from tutor.course.schema import Section

READ_MARK = "✓"
UNREAD_MARK = "•"

NEW, LEARNING, DUE, LEARNED, SUSPENDED = "new", "learning", "due", "learned", "suspended"
STATE_GLYPH = {NEW: "○", LEARNING: "◐", DUE: "◆", LEARNED: "●", SUSPENDED: "⊘"}
"""An exercise's review state as a glyph (never only a colour): never tried; tried but not yet
remembered (back within minutes or hours); due for review now; remembered, next review later;
out of the reviews (suspended, or a lab not added), so never due."""
_STATE_STYLE = {NEW: "dim", LEARNING: "", DUE: "bold", LEARNED: "", SUSPENDED: "dim"}

BAR_CELLS = 5
MASTERY_CELLS = BAR_CELLS + 5
"""`███░░  60%`: the bar, a space and the percentage at the right of a section row."""

_KIND_LABEL = {HandExercise: "hand", CodeExercise: "code", Lab: "lab"}


def _fit(title: str, room: int) -> str:
    return title if len(title) <= room else title[: room - 1] + "…"


def mastery_text(mastery: float) -> Text:
    """`███░░  60%`: a bar of BAR_CELLS cells and the percentage, so it reads without colour."""
    filled = round(max(0.0, min(mastery, 1.0)) * BAR_CELLS)
    text = Text("█" * filled)
    text.append("░" * (BAR_CELLS - filled), style="dim")
    text.append(f" {mastery:>4.0%}")
    return text


def section_row(section: Section, read: bool, width: int = 0, mastery: float | None = None) -> Text:
    """`✓ 1.6  Title` when read, `• 1.6  Title` otherwise: a glyph, not only a colour.

    With `width`, the row fills that many cells and ends with the section's mastery (the mean
    recall of its exercises and labs) when `mastery` is not None.
    """
    mark = READ_MARK if read else UNREAD_MARK
    row = Text()
    row.append(f"{mark} ", style="bold" if read else "dim")
    row.append(f"{section.id:<5}", style="bold")
    style = "bold" if not read else ""
    if width <= 0:
        row.append(section.title, style=style)
        return row
    room = max(width - 7 - MASTERY_CELLS - 1, 8)
    row.append(f"{_fit(section.title, room):<{room}} ", style=style)
    if mastery is not None:
        row.append_text(mastery_text(mastery))
    return row


def item_row(item: HandExercise | CodeExercise | Lab, width: int, state: str | None = None) -> Text:
    """An indented exercise or lab in `width` cells: its state glyph (when known), ID and title,
    its kind at the right edge.

    Plain padded Text rather than a grid: the outline renders every row on each layout, and
    Text is several times cheaper, which shows in the home screen's first paint.
    """
    kind = _KIND_LABEL[type(item)]
    room = max(width - 4 - 8 - len(kind) - 1, 8)
    row = Text("  ")
    if state is None:
        row.append("  ")
    else:
        row.append(f"{STATE_GLYPH[state]} ", style=_STATE_STYLE[state])
    row.append(f"{item.id:<8}", style="dim")
    row.append(f"{_fit(item.title, room):<{room}} ")
    row.append(kind, style="italic dim")
    return row


def state_legend(suspended: bool = False) -> Text:
    """`○ new ◐ learning ◆ due ● learned`: what the exercise glyphs mean; `⊘ suspended` too when
    some item is out of the reviews (most outlines have none, and the line stays short)."""
    legend = Text()
    for state in (NEW, LEARNING, DUE, LEARNED, SUSPENDED)[: 5 if suspended else 4]:
        if legend:
            legend.append(" ")
        legend.append(STATE_GLYPH[state], style=_STATE_STYLE[state])
        legend.append(f" {state}")
    return legend


def kind_label(item: HandExercise | CodeExercise | Lab) -> str:
    """`hand`, `code` or `lab`."""
    return _KIND_LABEL[type(item)]


def item_grid(item: HandExercise | CodeExercise | Lab) -> Table:
    """`item_row` as a grid that fits any width: for short lists whose width is not known yet."""
    label = Text("    ")
    label.append(f"{item.id:<8}", style="dim")
    label.append(item.title)
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True, width=4)
    grid.add_row(label, Text(_KIND_LABEL[type(item)], style="italic dim"))
    return grid
