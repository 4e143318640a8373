"""Rows of the course outline: sections with read marks, their exercises and labs beneath."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from tutor.course.exercise_schema import CodeExercise, HandExercise, Lab
from tutor.course.schema import Section

READ_MARK = "✓"
UNREAD_MARK = "•"

_KIND_LABEL = {HandExercise: "hand", CodeExercise: "code", Lab: "lab"}


def section_row(section: Section, read: bool) -> Text:
    """`✓ 1.6  Title` when read, `• 1.6  Title` otherwise: a glyph, not only a colour."""
    mark = READ_MARK if read else UNREAD_MARK
    row = Text()
    row.append(f"{mark} ", style="bold" if read else "dim")
    row.append(f"{section.id:<5}", style="bold")
    row.append(section.title, style="bold" if not read else "")
    return row


def item_row(item: HandExercise | CodeExercise | Lab, width: int) -> Text:
    """An indented exercise or lab in `width` cells: ID and title, its kind at the right edge.

    Plain padded Text rather than a grid: the outline renders every row on each layout, and
    Text is several times cheaper, which shows in the home screen's first paint.
    """
    kind = _KIND_LABEL[type(item)]
    room = max(width - 4 - 8 - len(kind) - 1, 8)
    title = item.title if len(item.title) <= room else item.title[: room - 1] + "…"
    row = Text("    ")
    row.append(f"{item.id:<8}", style="dim")
    row.append(f"{title:<{room}} ")
    row.append(kind, style="italic dim")
    return row


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
