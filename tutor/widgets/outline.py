"""Rows of the course outline: sections with read marks, their exercises and labs beneath."""

from __future__ import annotations

from rich.text import Text

from tutor.course.exercise_schema import CodeExercise, HandExercise, Lab
from tutor.course.schema import Section

READ_MARK = "✓"
UNREAD_MARK = "•"

TITLE_WIDTH = 52

_KIND_LABEL = {HandExercise: "hand", CodeExercise: "code", Lab: "lab"}


def section_row(section: Section, read: bool) -> Text:
    """`✓ 1.6  Title` when read, `• 1.6  Title` otherwise: a glyph, not only a colour."""
    mark = READ_MARK if read else UNREAD_MARK
    row = Text()
    row.append(f"{mark} ", style="bold" if read else "dim")
    row.append(f"{section.id:<5}", style="bold")
    row.append(section.title, style="bold" if not read else "")
    return row


def item_row(item: HandExercise | CodeExercise | Lab) -> Text:
    """An indented exercise or lab: ID, title and its kind in words."""
    row = Text("    ")
    row.append(f"{item.id:<8}", style="dim")
    # Padded so the kinds line up in a column at 80 columns; longer titles just push it right.
    row.append(f"{item.title:<{TITLE_WIDTH}}")
    row.append(f"  {_KIND_LABEL[type(item)]}", style="italic dim")
    return row


def kind_label(item: HandExercise | CodeExercise | Lab) -> str:
    """`hand`, `code` or `lab`."""
    return _KIND_LABEL[type(item)]
