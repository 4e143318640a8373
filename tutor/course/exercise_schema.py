"""Typed models for exercises (hand and code) and Code Labs.

A hand exercise names reference functions (`module.function`, a module file in the chapter folder)
that compute its answers from its parameters; a code exercise names the learner's entry points and
the reference grader. Adding an exercise is adding data and a reference function, never engine code.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

import msgspec

from tutor.course.schema import EXERCISE_ID, LAB_ID, Requirement, SectionId, Strict, Text

Reference = Annotated[str, msgspec.Meta(pattern=r"^([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)?$")]
ExerciseId = Annotated[str, msgspec.Meta(pattern=EXERCISE_ID)]
LabId = Annotated[str, msgspec.Meta(pattern=LAB_ID)]
Seconds = Annotated[int, msgspec.Meta(ge=10)]


class Part(Strict):
    """One answer box of a hand exercise and the answer test that checks it."""

    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    prompt: Text
    test: Text
    options: dict[str, Any] = {}


class HandExercise(Strict, tag_field="kind", tag="hand"):
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


class CodeExercise(Strict, tag_field="kind", tag="code"):
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


Exercise = Union[HandExercise, CodeExercise]


class LabStep(Strict):
    """One numbered step of a Code Lab."""

    title: Text
    text: Text
    entry: list[str] = []
    challenge: bool = False
    """An optional extra: its functions are checked when the learner's file defines them, and
    whether they pass never decides if the lab is solved."""


class Lab(Strict):
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


class ExerciseFile(Strict):
    """`exercises.yaml`: every exercise of one chapter."""

    exercises: Annotated[list[Exercise], msgspec.Meta(min_length=1)]


class LabFile(Strict):
    """`labs.yaml`: every Code Lab of one chapter."""

    labs: list[Lab] = []
