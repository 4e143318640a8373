"""Typed models (msgspec Structs) for chapter and section YAML files.

msgspec validates as it converts and imports in ~35 ms (pydantic: ~250 ms), which keeps the
first paint fast. Every model forbids unknown keys, so a typo is an error naming file and line.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

import msgspec

SECTION_ID = r"^\d+\.\d+$"
EXERCISE_ID = r"^\d+\.ex\d+$"
LAB_ID = r"^\d+\.lab\d+$"

Text = Annotated[str, msgspec.Meta(min_length=1)]
SectionId = Annotated[str, msgspec.Meta(pattern=SECTION_ID)]
Requirement = Literal["numpy", "torch"]


class Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base for every content model: unknown keys are errors, values are immutable."""


class Prose(Strict, tag_field="kind", tag="prose", frozen=True):
    """A run of Markdown text."""

    text: Text


class Definition(Strict, tag_field="kind", tag="definition", frozen=True):
    """A defined term, shown in a definition box."""

    term: Text
    text: Text


class Formula(Strict, tag_field="kind", tag="formula", frozen=True):
    """A displayed formula in Unicode, with an optional label and gloss."""

    text: Text
    label: str = ""
    gloss: str = ""


class Callout(Strict, tag_field="kind", tag="callout", frozen=True):
    """A highlighted aside: an ML connection, an intuition, a warning or a note."""

    tone: Literal["ml", "intuition", "warning", "note"]
    title: Text
    text: Text


class CodeExample(Strict, tag_field="kind", tag="code", frozen=True):
    """A runnable Python example; `output` is its exact stdout, checked by `tutor validate`."""

    title: Text
    source: Text
    output: str | None = None
    requires: list[Requirement] = []


class Table(Strict, tag_field="kind", tag="table", frozen=True):
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
            for number, (row, check) in enumerate(
                zip(self.rows, self.checks, strict=False), start=1
            ):
                if row[column] not in check:
                    raise ValueError(
                        f"row {number}'s check does not run its code {row[column]!r} as written"
                    )


Vec2 = Annotated[list[float], msgspec.Meta(min_length=2, max_length=2)]
Matrix2 = Annotated[list[Vec2], msgspec.Meta(min_length=2, max_length=2)]


class PlotData(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base for a figure's data: what to draw, never how (tutor/figures.py computes the rest)."""


class VectorsPlot(PlotData, tag_field="type", tag="vectors", frozen=True):
    """Named 2-D vectors as arrows on a grid; `sum` adds some tip to tail, `angle` marks one."""

    vectors: Annotated[dict[str, Vec2], msgspec.Meta(min_length=1, max_length=6)]
    sum: list[str] = []
    angle: list[str] = []

    def __post_init__(self) -> None:
        for key in ("sum", "angle"):
            unknown = [name for name in getattr(self, key) if name not in self.vectors]
            if unknown:
                raise ValueError(f"{key} names {unknown[0]!r}, which is not one of the vectors")
        if self.sum and len(self.sum) < 2:
            raise ValueError("sum needs at least two vectors")
        if self.angle and len(self.angle) != 2:
            raise ValueError("angle needs exactly two vectors")
        if any(v == [0.0, 0.0] for name, v in self.vectors.items() if name in self.angle):
            raise ValueError("a zero vector has no angle")


class ProjectionPlot(PlotData, tag_field="type", tag="projection", frozen=True):
    """u, v, the projection of u on v and the perpendicular remainder."""

    u: Vec2
    onto: Vec2

    def __post_init__(self) -> None:
        if self.onto == [0.0, 0.0]:
            raise ValueError("cannot project onto the zero vector")


class TransformPlot(PlotData, tag_field="type", tag="transform", frozen=True):
    """The unit circle and its image under a 2×2 matrix; `axes` adds the singular axes."""

    matrix: Matrix2
    axes: bool = True


class PcaPlot(PlotData, tag_field="type", tag="pca", frozen=True):
    """A seeded Gaussian point cloud with its principal components drawn from the mean."""

    covariance: Matrix2
    mean: Vec2 = msgspec.field(default_factory=lambda: [0.0, 0.0])
    points: Annotated[int, msgspec.Meta(ge=10, le=2000)] = 300
    seed: int = 0

    def __post_init__(self) -> None:
        (a, b), (c, d) = self.covariance
        if b != c or a < 0 or d < 0 or a * d - b * c < 0:
            raise ValueError("covariance must be symmetric positive semi-definite")


class SpectrumPlot(PlotData, tag_field="type", tag="spectrum", frozen=True):
    """A model singular value spectrum (σᵢ = decay^(i−1) with seeded noise) and its cumulative
    energy, marking the fewest values that reach `energy`."""

    count: Annotated[int, msgspec.Meta(ge=2, le=512)]
    decay: Annotated[float, msgspec.Meta(gt=0, lt=1)]
    noise: Annotated[float, msgspec.Meta(ge=0)] = 0.0
    energy: Annotated[float, msgspec.Meta(gt=0, lt=1)] = 0.9
    seed: int = 0


Plot: TypeAlias = VectorsPlot | ProjectionPlot | TransformPlot | PcaPlot | SpectrumPlot


class Figure(Strict, tag_field="kind", tag="figure", frozen=True):
    """A figure drawn in the terminal from data; `tutor validate` draws each one."""

    title: Text
    plot: Plot
    caption: str = ""


Block: TypeAlias = Prose | Definition | Formula | Callout | CodeExample | Table | Figure


class Section(Strict, frozen=True):
    """One section of a chapter: a title, a one-line summary and its blocks in reading order."""

    id: SectionId
    title: Text
    summary: Text
    blocks: Annotated[list[Block], msgspec.Meta(min_length=1)]


class ChapterMeta(Strict, frozen=True):
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
