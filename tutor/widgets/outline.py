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


def item_row(item: HandExercise | CodeExercise | Lab) -> Table:
    """An indented exercise or lab: ID and title, its kind in words at the right edge."""
    label = Text("    ")
    label.append(f"{item.id:<8}", style="dim")
    label.append(item.title)
    # A grid rather than padded text: the kind column stays aligned at any width, never wraps.
    row = Table.grid(expand=True, padding=(0, 1))
    row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    row.add_column(justify="right", no_wrap=True, width=4)
    row.add_row(label, Text(_KIND_LABEL[type(item)], style="italic dim"))
    return row


def kind_label(item: HandExercise | CodeExercise | Lab) -> str:
    """`hand`, `code` or `lab`."""
    return _KIND_LABEL[type(item)]
