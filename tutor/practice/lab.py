"""Run a lab's declared measurement plan in a sandboxed kernel holding the learner's file.

The plan, its inputs and the shape of its results are the lab's data (labs.yaml `measure:`); this
module only runs the steps and reports, as plain events, what a screen needs for a live progress
line (step, size, elapsed, time left) and for drawing each row as it arrives.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.course.exercise_schema import Lab, MeasureStep
from tutor.course.loader import Chapter, ContentError
from tutor.settings import Settings

if TYPE_CHECKING:
    from checkers.grading.measure import LabInputs, Step
    from checkers.kernel import Kernel, KernelConfig

STEP_TIMEOUT = 300.0
"""Seconds one measurement step may take (a 4096² multiply with its warm-up on 2 cores)."""


@dataclass(frozen=True)
class RunStarted:
    """The plan is known: where the data came from, point labels, and how many steps."""

    source: str
    labels: list[str]
    titles: list[str]


@dataclass(frozen=True)
class StepStarted:
    """Step `index` (0-based) of `total` began; `left` estimates the seconds the rest will take."""

    index: int
    total: int
    title: str
    size: str
    started: float
    """time.monotonic() when it began, so a screen can tick the elapsed time itself."""
    left: float | None
    """Estimated seconds for this step and the ones after it; None before any step has finished."""


@dataclass(frozen=True)
class Row:
    """One row a step printed."""

    row: dict[str, Any]


@dataclass(frozen=True)
class RunEnded:
    """The run is over: `ok` when every step ran; `text` says what happened, in words."""

    ok: bool
    text: str


Event = RunStarted | StepStarted | Row | RunEnded


class Estimate:
    """Seconds left from the work the plan declares and the pace of the steps done so far."""

    def __init__(self, works: list[float]) -> None:
        self.works = [max(work, 1e-6) for work in works]
        self.done_work = 0.0
        self.done_seconds = 0.0

    def finished(self, index: int, seconds: float) -> None:
        """Step `index` took `seconds`."""
        self.done_work += self.works[index]
        self.done_seconds += seconds

    def left(self, index: int) -> float | None:
        """Seconds for steps `index`… at the pace so far; None until a step has finished."""
        if self.done_work <= 0:
            return None
        return self.done_seconds / self.done_work * sum(self.works[index:])


def measure_config(settings: Settings, lab: Lab) -> KernelConfig:
    """The measuring kernel's config: the lab's grading config (steps pass their own timeout),
    so one warm spare serves a check and F4 alike; with CUDA, no address-space limit. Taking it
    starts no replacement beside the measurements: the lab screen warms the next one after."""
    from tutor.practice.code import kernel_config

    config = kernel_config(settings, torch="torch" in lab.requires, standby=False)
    if any(Path("/dev").glob("nvidia[0-9]*")):
        # CUDA reserves far more address space than a CPU kernel's limit allows.
        return dataclasses.replace(config, memory_mb=0)
    return config


def prewarm(settings: Settings, lab: Lab) -> None:
    """Start, in the background, the kernels a check (the learner's and the trusted timer's) and
    a measurement of `lab` will take; each config gets one spare, shared by every lab needing it."""
    from checkers.grading.calls import trusted_config
    from checkers.kernel import prewarm as start_spare
    from tutor.practice.code import kernel_config

    grading = kernel_config(settings, torch="torch" in lab.requires, standby=False)  # as grade_file
    configs = [grading, trusted_config(grading)]
    if lab.measure is not None:
        configs.append(measure_config(settings, lab))
    for config in dict.fromkeys(configs):
        start_spare(config)


def plan(chapter: Chapter, lab: Lab) -> tuple[LabInputs, list[Step]]:
    """The lab's inputs and steps, from the reference functions its `measure:` names."""
    from checkers.grading.measure import LabInputs

    measure = lab.measure
    if measure is None:
        raise ContentError([f"{lab.id} declares no measurements"])
    if bool(measure.plan) == bool(measure.steps):
        raise ContentError([f"{lab.id}: measure needs either a plan or steps (one of the two)"])
    inputs = chapter.reference(measure.inputs)() if measure.inputs else LabInputs()
    if measure.plan:
        return inputs, list(chapter.reference(measure.plan)(inputs))
    return inputs, [step for written in measure.steps for step in _expand(written)]


def _expand(written: MeasureStep) -> list[Step]:
    """A step written in the YAML, once per size (`{n}` replaced; other braces stay code)."""
    from checkers.grading.measure import Step

    def fill(text: str, n: int | None) -> str:
        return text if n is None else text.replace("{n}", str(n))

    sizes: list[int | None] = list(written.sizes) or [None]
    return [
        Step(fill(written.title, n), fill(written.code, n), fill(written.size, n), written.work)
        for n in sizes
    ]


def data_source(chapter: Chapter, lab: Lab) -> str:
    """Where the lab's measurement data comes from on this machine, and its shape, in words."""
    try:
        inputs, _ = plan(chapter, lab)
    except Exception as exc:  # trusted code; a broken data source is reported, not raised
        return f"the lab's data could not be loaded: {exc}"
    return inputs.source or "made in the kernel by the measurements"


class Measurement:
    """One run of a lab's measurements on the learner's file; `stop` ends it from any thread."""

    def __init__(self, chapter: Chapter, lab: Lab, settings: Settings) -> None:
        self.chapter = chapter
        self.lab = lab
        self.settings = settings
        self._kernel: Kernel | None = None
        self._stopped = False

    def run(self, source: str, emit: Callable[[Event], object]) -> None:
        """Load `source` in a fresh kernel and run every step, emitting events as things happen
        (blocks; call it from a worker thread). Never raises for a broken file, kernel or plan:
        it ends with RunEnded."""
        from checkers.kernel import Kernel, KernelError

        try:
            inputs, steps = plan(self.chapter, self.lab)
        except Exception as exc:  # trusted code, but a broken plan must not take the screen down
            emit(RunEnded(False, f"The lab's measurement plan could not be built: {exc}"))
            return
        emit(RunStarted(inputs.source, list(inputs.labels), [step.title for step in steps]))
        try:
            with Kernel(measure_config(self.settings, self.lab)) as kernel:
                self._kernel = kernel
                if self._stopped:
                    return
                nonce, problem = _prepare(kernel, self.lab, source, inputs)
                if problem:
                    emit(RunEnded(False, problem))
                    return
                _steps(kernel, steps, nonce, emit)
        except (KernelError, OSError) as exc:
            emit(RunEnded(False, f"The measurement kernel failed: {exc}"))
        finally:
            self._kernel = None

    def stop(self) -> None:
        """End the run: the running step ends with its kernel."""
        self._stopped = True
        kernel = self._kernel
        if kernel is not None:
            kernel.close()


def _steps(kernel: Kernel, steps: list[Step], nonce: str, emit: Callable[[Event], object]) -> None:
    from checkers.grading.measure import parse_row

    estimate = Estimate([step.work for step in steps])
    failures = []
    for index, step in enumerate(steps):
        started = time.monotonic()
        emit(StepStarted(index, len(steps), step.title, step.size, started, estimate.left(index)))
        result = kernel.execute(step.code, timeout=STEP_TIMEOUT)
        for line in result.stdout.splitlines():
            row = parse_row(line, nonce)
            if row is not None:
                emit(Row(row))
        estimate.finished(index, time.monotonic() - started)
        if not result.ok:
            where = f"{step.title}" + (f" ({step.size})" if step.size else "")
            failures.append(f"{where} failed:\n{result.error or result.status}")
            if result.restarted:  # the kernel (and the learner's file in it) is gone
                emit(RunEnded(False, failures[-1]))
                return
    if failures:
        emit(
            RunEnded(
                False,
                failures[0]
                + (f"\n({len(failures) - 1} more steps failed)" if len(failures) > 1 else ""),
            )
        )
    else:
        emit(
            RunEnded(
                True,
                "Measurements done: ctrl+f shows them full screen, ctrl+s checks your functions.",
            )
        )


def _prepare(kernel: Kernel, lab: Lab, source: str, inputs: LabInputs) -> tuple[str, str]:
    """Load the learner's file as module `solution`, run the prelude, hand over the inputs;
    returns the run's row nonce and, when something failed, why."""
    import numpy as np

    from checkers.grading.measure import new_nonce, prelude

    # Loaded as a module (not __main__): a demo under `if __name__ == "__main__"` stays out.
    loaded = kernel.request(
        {"op": "load", "source": source, "filename": f"{lab.id}.py"}, STEP_TIMEOUT
    )
    if not loaded.ok:
        return "", f"Your file could not be run:\n{loaded.error or loaded.status}"
    nonce = new_nonce()
    ready = kernel.execute("from solution import *\n" + prelude(nonce))
    if not ready.ok:
        return nonce, f"The measurements could not start:\n{ready.error or ready.status}"
    for name, array in inputs.arrays.items():
        path = os.path.join(kernel.scratch_dir, f"{name}.npy")
        np.save(path, array, allow_pickle=False)
        kernel.give_to_worker(path)
        given = kernel.execute(f"{name} = np.load({path!r}, allow_pickle=False)")
        if not given.ok:
            return (
                nonce,
                f"The lab's data could not be handed to the kernel:\n{given.error or given.status}",
            )
    return nonce, ""


def validate_chapter(chapter: Chapter) -> list[str]:
    """Problems with the chapter's code graders and lab measurements, as `ID: what is wrong`.

    Every grader reference must resolve; every declared plan must build, with compilable steps
    that emit rows only for declared result blocks and rows for every block.
    """
    problems: list[str] = []
    for item in [*chapter.exercises, *chapter.labs]:
        grader = getattr(item, "grader", "")
        if grader:
            try:
                chapter.reference(grader)
            except ContentError as exc:
                problems.extend(f"{item.id}: {problem}" for problem in exc.problems)
    for lab in chapter.labs:
        if lab.measure is None:
            continue
        try:
            _, steps = plan(chapter, lab)
        except Exception as exc:  # any failure of trusted plan code is a content problem here
            problems.append(f"{lab.id}: the measurement plan cannot be built: {exc}")
            continue
        blocks = {result.rows for result in lab.measure.results}
        emitted: set[str] = set()
        for step in steps:
            try:
                compile(step.code, f"{lab.id} · {step.title}", "exec")
            except SyntaxError as exc:
                problems.append(
                    f"{lab.id}: step {step.title!r} is not valid Python: "
                    f"{exc.msg} (line {exc.lineno})"
                )
            emitted |= {
                block for block in blocks if f"'{block}'" in step.code or f'"{block}"' in step.code
            }
        problems.extend(
            f"{lab.id}: no step emits rows for the result block {block!r}"
            for block in sorted(blocks - emitted)
        )
    return problems
