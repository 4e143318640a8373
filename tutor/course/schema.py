"""Pydantic models for chapter, section, exercise and lab YAML files.

Every model forbids unknown keys, so a typo in a YAML file is an error naming the file and line.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

SECTION_ID = r"^\d+\.\d+$"
EXERCISE_ID = r"^\d+\.ex\d+$"
LAB_ID = r"^\d+\.lab\d+$"


class Strict(BaseModel):
    """Base for every content model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Prose(Strict):
    """A run of Markdown text."""

    kind: Literal["prose"]
    text: str = Field(min_length=1)


class Definition(Strict):
    """A defined term, shown in a definition box."""

    kind: Literal["definition"]
    term: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Formula(Strict):
    """A displayed formula in Unicode, with an optional label and gloss."""

    kind: Literal["formula"]
    text: str = Field(min_length=1)
    label: str = ""
    gloss: str = ""


class Callout(Strict):
    """A highlighted aside: an ML connection, an intuition, a warning or a note."""

    kind: Literal["callout"]
    tone: Literal["ml", "intuition", "warning", "note"]
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


class CodeExample(Strict):
    """A runnable Python example; `output` is its exact stdout, checked by `tutor validate`."""

    kind: Literal["code"]
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    output: str | None = None
    requires: list[Literal["numpy", "torch"]] = Field(default_factory=list)


class Table(Strict):
    """A small table of text cells (the reference card, the shape cheat sheet)."""

    kind: Literal["table"]
    title: str = Field(min_length=1)
    columns: list[str] = Field(min_length=1)
    rows: list[list[str]] = Field(min_length=1)

    @field_validator("rows")
    @classmethod
    def _rows_match_columns(cls, rows: list[list[str]], info: Any) -> list[list[str]]:
        width = len(info.data.get("columns", []))
        for number, row in enumerate(rows, start=1):
            if width and len(row) != width:
                raise ValueError(f"row {number} has {len(row)} cells, the table has {width} columns")
        return rows


Block = Annotated[
    Union[Prose, Definition, Formula, Callout, CodeExample, Table], Field(discriminator="kind")
]


class Section(Strict):
    """One section of a chapter: a title, a one-line summary and its blocks in reading order."""

    id: str = Field(pattern=SECTION_ID)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    blocks: list[Block] = Field(min_length=1)


class ChapterMeta(Strict):
    """`chapter.yaml`: the chapter's number, titles and section files in order."""

    number: int = Field(ge=1)
    title: str = Field(min_length=1)
    subtitle: str = ""
    summary: str = ""
    sections: list[str] = Field(min_length=1)
    exercises: str = "exercises.yaml"
    labs: str = "labs.yaml"
