"""Typed models for exercises (hand and code) and Code Labs.

A hand exercise names reference functions (`module.function`, a module file in the chapter folder)
that compute its answers from its parameters; a code exercise names the learner's entry points and
the reference grader. Adding an exercise is adding data and a reference function, never engine code.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

import msgspec

from tutor.course.schema import EXERCISE_ID, LAB_ID, Requirement, SectionId, Strict, Text

Reference = Annotated[
    str, msgspec.Meta(pattern=r"^([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)?$")
]
ExerciseId = Annotated[str, msgspec.Meta(pattern=EXERCISE_ID)]
LabId = Annotated[str, msgspec.Meta(pattern=LAB_ID)]
Seconds = Annotated[int, msgspec.Meta(ge=10)]


class Part(Strict, frozen=True):
    """One answer box of a hand exercise and the answer test that checks it."""

    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    prompt: Text
    test: Text
    options: dict[str, Any] = {}


class HandExercise(Strict, tag_field="kind", tag="hand", frozen=True):
    """A pen-and-paper exercise whose typed answers are checked symbolically."""

    id: ExerciseId
    title: Text
    section: SectionId
    statement: Text
    template: str = ""
    params: dict[str, Any] = {}
    generator: Reference = ""
    answers: Reference = ""
    parts: list[Part] = []
    hints: list[str] = []
    solution: str = ""
    par_seconds: Seconds = 180


class CodeExercise(Strict, tag_field="kind", tag="code", frozen=True):
    """An exercise solved by writing Python functions, graded in a sandboxed kernel."""

    id: ExerciseId
    title: Text
    section: SectionId
    statement: Text
    entry: list[str] = []
    starter: str = ""
    grader: Reference = ""
    hints: list[str] = []
    solution: str = ""
    requires: list[Requirement] = []
    par_seconds: Seconds = 600


Exercise: TypeAlias = HandExercise | CodeExercise


class LabStep(Strict, frozen=True):
    """One numbered step of a Code Lab."""

    title: Text
    text: Text
    entry: list[str] = []
    challenge: bool = False
    """An optional extra: its functions are checked when the learner's file defines them, and
    whether they pass never decides if the lab is solved."""


class SpeedUp(Strict, frozen=True):
    """A speed-up column: each row's `of` against the baseline row's, as "n×"."""

    of: Annotated[str, msgspec.Meta(min_length=1)]
    """The row field compared: `seconds` (less is faster) or a rate such as `gflops`."""
    over: Annotated[dict[str, str | int | float], msgspec.Meta(min_length=1)]
    """The fields that pick the baseline row, e.g. `{method: Python loop}`."""
    faster: Literal["lower", "higher"] = "lower"
    """Whether a lower (times) or a higher (rates) value of `of` is faster."""


class ResultColumn(Strict, frozen=True):
    """One column of a lab's result table: a row field (formatted) or a speed-up."""

    title: Text
    key: str = ""
    format: Literal["text", "int", "ms", "rate", "fixed", "percent", "ratio"] = "text"
    """`ms`: seconds shown in milliseconds; `rate`: one decimal from 1 up, two significant figures
    below (0.0045, not 0.0); `fixed`: four decimals; `ratio`: two decimals."""
    speedup: SpeedUp | None = None


class ResultPlot(Strict, frozen=True):
    """How a lab's rows are drawn: bars per category, a line, a labelled scatter, or images."""

    kind: Literal["bars", "line", "scatter", "images"]
    title: Text
    x: str = ""
    """The row field along x (bars: the category; line: a number). Empty: 1, 2, 3, … (a line of
    one row's list)."""
    y: str = ""
    """The row field plotted: a number per row, or (a single row) a list of numbers."""
    scale: Literal["linear", "log"] = "linear"
    """`log` where values span decades: the axis is labelled in powers of ten."""
    labels: bool = False
    """scatter: write the inputs' labels (words) beside their points where they fit."""
    images: list[str] = []
    """images: the row fields holding greyscale pictures in [0, 1], drawn side by side."""


class LabResult(Strict, frozen=True):
    """One block of a lab's results: the rows a step emits under `rows`, as a table and/or plot."""

    rows: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    columns: list[ResultColumn] = []
    plot: ResultPlot | None = None
    replace: bool = False
    """A new row replaces the block's rows (a run reporting one summary) instead of adding one."""


class MeasureStep(Strict, frozen=True):
    """One measurement step written out in the YAML: trusted code run after the learner's file,
    once per size when `sizes` is given (`{n}` in the title, size and code becomes each size)."""

    title: Text
    code: Annotated[str, msgspec.Meta(min_length=1)]
    """Python run in the learner's kernel; it calls `emit({"table": ..., ...})` per row and may use
    `best(fn, reps)`, `np` and the lab's inputs."""
    size: str = ""
    sizes: list[int] = []
    work: Annotated[float, msgspec.Meta(gt=0)] = 1.0
    """Expected cost relative to the other steps, for the time-left estimate."""


class LabMeasure(Strict, frozen=True):
    """A lab's measurement plan (steps written out, or trusted code that lists them) and the
    shape of its results."""

    results: Annotated[list[LabResult], msgspec.Meta(min_length=1)]
    plan: Reference = ""
    """`module.function(inputs) -> list[Step]` in the chapter folder (give this or `steps`)."""
    steps: list[MeasureStep] = []
    inputs: Reference = ""
    """`module.function() -> LabInputs`: arrays the steps use as variables, and their origin."""


class Lab(Strict, frozen=True):
    """A multi-step Code Lab attached to a section."""

    id: LabId
    title: Text
    section: SectionId
    statement: Text
    steps: Annotated[list[LabStep], msgspec.Meta(min_length=1)]
    starter: str = ""
    grader: Reference = ""
    hints: list[str] = []
    solution: str = ""
    requires: list[Requirement] = []
    par_seconds: Seconds = 1800
    measure: LabMeasure | None = None
    """The lab's measurements (F4 on the lab screen), when it has any."""

    @property
    def entry(self) -> list[str]:
        """Every function the learner must write across the steps, in step order (like
        CodeExercise.entry); a challenge step's functions are not among them."""
        names: list[str] = []
        for step in self.steps:
            if not step.challenge:
                names.extend(name for name in step.entry if name not in names)
        return names

    @property
    def challenge_entry(self) -> list[str]:
        """The functions of the optional challenge steps."""
        return [name for step in self.steps if step.challenge for name in step.entry]


class ExerciseFile(Strict, frozen=True):
    """`exercises.yaml`: every exercise of one chapter."""

    exercises: Annotated[list[Exercise], msgspec.Meta(min_length=1)]


class LabFile(Strict, frozen=True):
    """`labs.yaml`: every Code Lab of one chapter."""

    labs: list[Lab] = []
