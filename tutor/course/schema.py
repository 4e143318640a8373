"""Typed models (msgspec Structs) for chapter and section YAML files.

msgspec validates as it converts and imports in ~35 ms (pydantic: ~250 ms), which keeps the
first paint fast. Every model forbids unknown keys, so a typo is an error naming file and line.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

import msgspec

SECTION_ID = r"^\d+\.\d+$"
EXERCISE_ID = r"^\d+\.ex\d+$"
LAB_ID = r"^\d+\.lab\d+$"

Text = Annotated[str, msgspec.Meta(min_length=1)]
SectionId = Annotated[str, msgspec.Meta(pattern=SECTION_ID)]
Requirement = Literal["numpy", "torch"]


class Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base for every content model: unknown keys are errors, values are immutable."""


class Prose(Strict, tag_field="kind", tag="prose"):
    """A run of Markdown text."""

    text: Text


class Definition(Strict, tag_field="kind", tag="definition"):
    """A defined term, shown in a definition box."""

    term: Text
    text: Text


class Formula(Strict, tag_field="kind", tag="formula"):
    """A displayed formula in Unicode, with an optional label and gloss."""

    text: Text
    label: str = ""
    gloss: str = ""


class Callout(Strict, tag_field="kind", tag="callout"):
    """A highlighted aside: an ML connection, an intuition, a warning or a note."""

    tone: Literal["ml", "intuition", "warning", "note"]
    title: Text
    text: Text


class CodeExample(Strict, tag_field="kind", tag="code"):
    """A runnable Python example; `output` is its exact stdout, checked by `tutor validate`."""

    title: Text
    source: Text
    output: str | None = None
    requires: list[Requirement] = []


class Table(Strict, tag_field="kind", tag="table"):
    """A small table of text cells (the reference card, the shape cheat sheet).

    `checks` holds one Python snippet per row that `tutor validate` runs after `setup` (each row
    in a fresh copy of setup's names): it must finish without an error, so it asserts what the
    row claims. When `code_column` names a column, each row's check must contain that row's code
    cell word for word, so the code a learner reads is the code that runs.
    """

    title: Text
    columns: Annotated[list[str], msgspec.Meta(min_length=1)]
    rows: Annotated[list[list[str]], msgspec.Meta(min_length=1)]
    setup: str = ""
    checks: list[str] = []
    code_column: str = ""
    requires: list[Requirement] = []

    def __post_init__(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {number} has {len(row)} cells, the table has {len(self.columns)} columns"
                )
        if self.checks and len(self.checks) != len(self.rows):
            raise ValueError(
                f"{len(self.checks)} checks for {len(self.rows)} rows: give one check per row"
            )
        if self.code_column:
            if self.code_column not in self.columns:
                raise ValueError(f"code_column {self.code_column!r} is not one of the columns")
            if not self.checks:
                raise ValueError("a table with a code_column needs one check per row")
            column = self.columns.index(self.code_column)
            for number, (row, check) in enumerate(zip(self.rows, self.checks), start=1):
                if row[column] not in check:
                    raise ValueError(
                        f"row {number}'s check does not run its code {row[column]!r} as written"
                    )


Block = Union[Prose, Definition, Formula, Callout, CodeExample, Table]


class Section(Strict):
    """One section of a chapter: a title, a one-line summary and its blocks in reading order."""

    id: SectionId
    title: Text
    summary: Text
    blocks: Annotated[list[Block], msgspec.Meta(min_length=1)]


class ChapterMeta(Strict):
    """`chapter.yaml`: the chapter's number, titles and section files in order."""

    number: Annotated[int, msgspec.Meta(ge=1)]
    title: Text
    sections: Annotated[list[str], msgspec.Meta(min_length=1)]
    subtitle: str = ""
    summary: str = ""
    exercises: list[str] = msgspec.field(
        default_factory=lambda: ["hand_exercises.yaml", "code_exercises.yaml"]
    )
    labs: str = "labs.yaml"
