"""A Code Lab: its steps, the code editor of code exercises, and its declared measurements.

What to measure and how to show it is the lab's data (labs.yaml `measure:`); `tutor.practice.lab`
runs the steps in a fresh sandboxed kernel holding the learner's file (never in this process) from
a thread worker, whose events arrive here as messages. A status line ticks while anything runs:
which step, its size, the time so far and an estimate of the time left.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from tutor.course.exercise_schema import Lab
from tutor.course.loader import Chapter
from tutor.screens.base import NotNow
from tutor.screens.code_exercise import CodeWorkScreen
from tutor.session import Session

if TYPE_CHECKING:
    from tutor.practice.lab import Event, Measurement, StepStarted

TICK = 0.25
"""Seconds between redraws of the progress line."""


class ResultsPane(VerticalScroll):
    """The scrolling results pane; it may fill the screen (ctrl+f)."""

    ALLOW_MAXIMIZE = True


def seconds_text(seconds: float) -> str:
    """`4.2 s`, `1 min 05 s`."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def progress_line(event: StepStarted, now: float) -> str:
    """The status line for a running step: step, size, elapsed, estimated time left."""
    elapsed = now - event.started
    parts = [f"Measuring {event.index + 1}/{event.total}: {event.title}"]
    if event.size:
        parts.append(event.size)
    parts.append(f"{seconds_text(elapsed)} on this step")
    if event.left is None:
        parts.append("estimating the time left…")
    else:
        parts.append(f"about {seconds_text(max(event.left - elapsed, 0.0))} left")
    return " · ".join(parts)


class LabScreen(CodeWorkScreen):
    """Work through a Code Lab: write its functions, check them, measure and plot the results."""

    BINDINGS = [
        Binding(
            "f4",
            "measure",
            "Measure",
            id="lab-measure",
            tooltip="Run the lab's measurements and plot them",
        ),
        Binding("ctrl+t", "hint", "Hint", id="code-hint", show=False, tooltip="Show the next hint"),
        Binding(
            "ctrl+f",
            "show_results",
            "Results",
            id="lab-results",
            show=False,
            tooltip="Results full screen; again to go back",
        ),
    ]

    measuring: reactive[bool] = reactive(False, bindings=True)
    """F4's measurements are running (F4 shows disabled meanwhile)."""

    class Progress(Message):
        """An event of a measurement run (tutor.practice.lab), from the worker thread."""

        def __init__(self, event: Event) -> None:
            super().__init__()
            self.event = event

    def __init__(
        self,
        session: Session,
        chapter: Chapter,
        lab: Lab,
        review: bool = False,
        review_position: str = "",
    ) -> None:
        super().__init__(session, chapter, lab, review, review_position)
        self.lab = lab
        self._measurement: Measurement | None = None
        self._step: StepStarted | None = None
        self._ticker: Timer | None = None
        self._check_started = 0.0
        self._measure_started = 0.0
        self._check_calls = 0
        self._check_call = ""
        self._last_check: float | None = None
        """Seconds the last check of this lab took here: the estimate for the next one."""

    def compose_statement(self) -> ComposeResult:
        yield Static(Text(self.lab.statement))
        text = Text()
        for number, step in enumerate(self.lab.steps, start=1):
            text.append(f"{number}. {step.title}", style="bold")
            if step.entry:
                text.append(
                    "  [" + ", ".join(f"{name}()" for name in step.entry) + "]", style="italic"
                )
            if step.challenge:
                text.append("  optional", style="dim")
            text.append(f"\n   {step.text}\n")
        yield Static(text, id="lab-steps")

    def compose_panes(self) -> ComposeResult:
        from tutor.widgets.plots import LabResults

        with ResultsPane(id="lab-results-pane"):
            if self.lab.measure is not None:
                yield LabResults(self.lab.measure.results, id="lab-results")
            else:
                yield Static("This lab has no measurements.", id="lab-results")

    def on_mount(self) -> None:
        super().on_mount()
        # Kernels for a check and for F4 start now, off the UI thread, so neither waits for one.
        self.run_worker(self._prewarm, thread=True, group="lab-prewarm", exit_on_error=False)
        self._ticker = self.set_interval(TICK, self._tick, pause=True)

    def _prewarm(self) -> None:
        self.session.warm_lab(self.lab)

    def _notes_intro(self) -> Text:
        text = super()._notes_intro()
        if self.lab.measure is not None:
            text.append(
                "\nF4 runs the lab's measurements on your functions and plots them; "
                "ctrl+f shows them full screen."
            )
        return text

    def not_now(self) -> dict[str, NotNow]:
        """F4 only where the lab declares measurements, and not while they run."""
        stopped = super().not_now()
        if self.lab.measure is None:
            stopped["measure"] = NotNow("this lab has no measurements")
        elif self.measuring:
            stopped["measure"] = NotNow("the measurements are running", soon=True)
        return stopped

    def action_show_results(self) -> None:
        """Show the results pane full screen (at 80×24 there is little room), or go back."""
        if self.maximized is not None:
            self.action_edit()
            return
        self._show_pane("lab-results-pane")
        pane = self.query_one("#lab-results-pane", ResultsPane)
        self.maximize(pane)
        pane.focus()

    # -- checking: a live line while the grader runs ---------------------------------------

    class CheckStep(Message):
        """The grader started another call of the learner's code (from the worker thread)."""

        def __init__(self, call: str) -> None:
            super().__init__()
            self.call = call

    def action_check(self) -> None:
        """Check as a code exercise does, with the grader's current call and time on the status
        line."""
        was_checking = self.checking
        super().action_check()
        if self.checking and not was_checking:
            self._check_started = time.monotonic()
            self._check_calls = 0
            self._check_call = ""
            self._resume_ticker()

    def _grade(self, text: str, attempt: int, hints: int, duration: float) -> None:
        """Worker thread: grade as a code exercise does, reporting each call as it starts."""
        from tutor.practice.code import reporting

        with reporting(lambda call: self.post_message(self.CheckStep(call))):
            super()._grade(text, attempt, hints, duration)

    @on(CheckStep)
    def _check_step(self, message: CheckStep) -> None:
        self._check_calls += 1
        self._check_call = message.call
        self._tick()

    @on(CodeWorkScreen.Checked)
    def _check_done(self, message: CodeWorkScreen.Checked) -> None:
        if self._check_started:
            self._last_check = time.monotonic() - self._check_started
        # The check took the lab's spares (neither leaves a replacement behind): warm the next.
        self.run_worker(self._prewarm, thread=True, group="lab-prewarm", exit_on_error=False)

    def check_line(self, now: float) -> str:
        """The status line while a check runs: the call running, the time so far and left."""
        elapsed = now - self._check_started
        parts = ["Checking in a fresh kernel"]
        if self._check_call:
            parts.append(f"call {self._check_calls}: {self._check_call}")
        parts.append(f"{seconds_text(elapsed)} so far")
        if self._last_check is not None:
            parts.append(f"about {seconds_text(max(self._last_check - elapsed, 0.0))} left")
        return " · ".join(parts)

    # -- measuring -------------------------------------------------------------------------

    def action_measure(self) -> None:
        """Run the measurements in a fresh kernel holding the editor's file."""
        if self.lab.measure is None:
            return
        if self.measuring:
            self.notify("Measurements are already running.")
            return
        self.measuring = True
        self.save_draft()
        if self.maximized is not None:
            # A full-screen test table (F3) would stay maximized while hidden: the screen would
            # show only its empty background for the whole run.
            self.minimize()
        self._show_pane("lab-results-pane")
        self._step = None
        self._measure_started = time.monotonic()
        self._status("Measuring: starting a kernel with your file…")
        self._resume_ticker()
        source = self.code
        measurement = self.session.lab_measurement(self.chapter, self.lab)
        self._measurement = measurement
        self.run_worker(
            lambda: self._measure(measurement, source),
            thread=True,
            exclusive=True,
            group="lab-measure",
            exit_on_error=False,
        )

    def _measure(self, measurement: Measurement, source: str) -> None:
        """Worker thread: run the plan; every event becomes a message."""
        from tutor.practice.lab import RunEnded

        try:
            measurement.run(source, lambda event: self.post_message(self.Progress(event)))
        except (
            Exception
        ) as exc:  # the runner reports its own failures; anything else must not kill the screen
            self.post_message(self.Progress(RunEnded(False, f"The measurements failed: {exc}")))

    def on_unmount(self) -> None:
        super().on_unmount()
        if self._measurement is not None:
            # Leaving stops the measurements: the running step ends with its kernel.
            self._measurement.stop()

    @on(Progress)
    def _progressed(self, message: Progress) -> None:
        from tutor.practice.lab import Row, RunEnded, RunStarted, StepStarted
        from tutor.widgets.plots import LabResults

        event = message.event
        if isinstance(event, RunStarted):
            self.query_one(LabResults).reset(event.source, event.labels)
        elif isinstance(event, StepStarted):
            self._step = event
            self._tick()
        elif isinstance(event, Row):
            self.query_one(LabResults).add(event.row)
        elif isinstance(event, RunEnded):
            self.measuring = False
            self._step = None
            self._status(event.text)
            # The run took the warm kernel: start the next one for a check or another run.
            self.run_worker(self._prewarm, thread=True, group="lab-prewarm", exit_on_error=False)

    def _resume_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.resume()

    def _tick(self) -> None:
        """Redraw the progress line; pause the ticker when nothing runs."""
        now = time.monotonic()
        if self.measuring and self._step is not None:
            self._status(progress_line(self._step, now))
        elif self.measuring:
            waited = seconds_text(now - self._measure_started)
            self._status(f"Measuring: starting a kernel with your file… {waited}")
        elif self.checking and not self.measuring:
            self._status(self.check_line(now))
        elif not self.measuring and self._ticker is not None:
            self._ticker.pause()
