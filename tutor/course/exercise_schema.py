"""Pydantic models for exercises (hand and code) and Code Labs.

A hand exercise names reference functions (`module.function`, a module file in the chapter folder)
that compute its answers from its parameters; a code exercise names the learner's entry points and
the reference grader. Adding an exercise is adding data and a reference function, never engine code.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field

from tutor.course.schema import EXERCISE_ID, LAB_ID, SECTION_ID, Strict

REFERENCE = r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$"


class Part(Strict):
    """One answer box of a hand exercise and the answer test that checks it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    prompt: str = Field(min_length=1)
    test: str = Field(min_length=1)
    options: dict[str, Any] = Field(default_factory=dict)


class HandExercise(Strict):
    """A pen-and-paper exercise whose typed answers are checked symbolically."""

    kind: Literal["hand"]
    id: str = Field(pattern=EXERCISE_ID)
    title: str = Field(min_length=1)
    section: str = Field(pattern=SECTION_ID)
    statement: str = Field(min_length=1)
    template: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    generator: str = Field(default="", pattern=rf"{REFERENCE}|^$")
    answers: str = Field(default="", pattern=rf"{REFERENCE}|^$")
    parts: list[Part] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)
    solution: str = ""
    par_seconds: int = Field(default=180, ge=10)


class CodeExercise(Strict):
    """An exercise solved by writing Python functions, graded in a sandboxed kernel."""

    kind: Literal["code"]
    id: str = Field(pattern=EXERCISE_ID)
    title: str = Field(min_length=1)
    section: str = Field(pattern=SECTION_ID)
    statement: str = Field(min_length=1)
    entry: list[str] = Field(default_factory=list)
    starter: str = ""
    grader: str = Field(default="", pattern=rf"{REFERENCE}|^$")
    hints: list[str] = Field(default_factory=list)
    solution: str = ""
    requires: list[Literal["numpy", "torch"]] = Field(default_factory=list)
    par_seconds: int = Field(default=600, ge=10)


Exercise = Annotated[Union[HandExercise, CodeExercise], Field(discriminator="kind")]


class LabStep(Strict):
    """One numbered step of a Code Lab."""

    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    entry: list[str] = Field(default_factory=list)


class Lab(Strict):
    """A multi-step Code Lab attached to a section."""

    id: str = Field(pattern=LAB_ID)
    title: str = Field(min_length=1)
    section: str = Field(pattern=SECTION_ID)
    statement: str = Field(min_length=1)
    steps: list[LabStep] = Field(min_length=1)
    starter: str = ""
    grader: str = Field(default="", pattern=rf"{REFERENCE}|^$")
    hints: list[str] = Field(default_factory=list)
    solution: str = ""
    requires: list[Literal["numpy", "torch"]] = Field(default_factory=list)
    par_seconds: int = Field(default=1800, ge=10)


class ExerciseFile(Strict):
    """`exercises.yaml`: every exercise of one chapter."""

    exercises: list[Exercise] = Field(min_length=1)


class LabFile(Strict):
    """`labs.yaml`: every Code Lab of one chapter."""

    labs: list[Lab] = Field(default_factory=list)
