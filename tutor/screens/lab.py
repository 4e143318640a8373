"""A Code Lab: its steps, the code editor of code exercises, and measurements shown as tables and plots.

Measurements run in a fresh sandboxed kernel that loads the learner's file (never in this process);
a thread worker feeds it the lab's cells and posts each `@@lab` result line back as a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tutor.course.exercise_schema import Lab
from tutor.course.loader import Chapter
from tutor.screens.code_exercise import CodeWorkScreen
from tutor.session import Session

if TYPE_CHECKING:
    from tutor.practice.lab import Measurement


class ResultsPane(VerticalScroll):
    """The scrolling results pane; it may fill the screen (ctrl+f)."""

    ALLOW_MAXIMIZE = True


class LabScreen(CodeWorkScreen):
    """Work through a Code Lab: write its functions, check them, measure and plot the results."""

    BINDINGS = [
        Binding("f4", "measure", "Measure", id="lab-measure", tooltip="Run the lab's measurements and plot them"),
        Binding("ctrl+t", "hint", "Hint", id="code-hint", show=False, tooltip="Show the next hint"),
        Binding("ctrl+f", "show_results", "Results", id="lab-results", show=False,
                tooltip="Results full screen; again to go back"),
    ]

    class Started(Message):
        """A measurement run began: where its data came from and the labels of its points."""

        def __init__(self, source: str, labels: list[str]) -> None:
            super().__init__()
            self.source = source
            self.labels = labels

    class Measured(Message):
        """One result line from the kernel."""

        def __init__(self, payload: dict[str, Any]) -> None:
            super().__init__()
            self.payload = payload

    class Progressed(Message):
        """A cell started, finished or failed; `text` says which, for the status line."""

        def __init__(self, text: str, done: bool = False) -> None:
            super().__init__()
            self.text = text
            self.done = done

    def __init__(self, session: Session, chapter: Chapter, lab: Lab, review: bool = False,
                 review_position: str = "") -> None:
        super().__init__(session, chapter, lab, review, review_position)
        self.lab = lab
        self.measuring = False
        self._measurement: Measurement | None = None

    def compose_statement(self) -> ComposeResult:
        yield Static(Text(self.lab.statement))
        text = Text()
        for number, step in enumerate(self.lab.steps, start=1):
            text.append(f"{number}. {step.title}", style="bold")
            if step.entry:
                text.append("  [" + ", ".join(f"{name}()" for name in step.entry) + "]", style="italic")
            if step.challenge:
                text.append("  optional", style="dim")
            text.append(f"\n   {step.text}\n")
        yield Static(text, id="lab-steps")

    def compose_panes(self) -> ComposeResult:
        from tutor.widgets.plots import LabResults

        with ResultsPane(id="lab-results-pane"):
            yield LabResults(self.lab.id, id="lab-results")

    def _notes_intro(self) -> Text:
        text = super()._notes_intro()
        text.append("\nF4 runs the lab's measurements on your functions and plots them; ctrl+f shows them full screen.")
        return text

    def action_show_results(self) -> None:
        """Show the results pane full screen (at 80×24 there is little room), or go back."""
        if self.maximized is not None:
            self.action_edit()
            return
        self._show_pane("lab-results-pane")
        pane = self.query_one("#lab-results-pane", ResultsPane)
        self.maximize(pane)
        pane.focus()

    def action_measure(self) -> None:
        """Run the measurements in a fresh kernel holding the editor's file."""
        if self.measuring:
            self.notify("Measurements are already running.")
            return
        self.measuring = True
        self.save_draft()
        self._show_pane("lab-results-pane")
        self._status("Starting a kernel for the measurements…")
        source = self.code
        measurement = self.session.lab_measurement(self.chapter, self.lab)
        self._measurement = measurement
        self.run_worker(lambda: measurement.run(source, _Poster(self)), thread=True, exclusive=True,
                        group="lab-measure", exit_on_error=False)

    def on_unmount(self) -> None:
        super().on_unmount()
        if self._measurement is not None:
            self._measurement.stop()  # leaving stops the measurements: the running cell ends with the kernel

    @on(Started)
    def _started(self, message: Started) -> None:
        from tutor.widgets.plots import LabResults

        self.query_one(LabResults).reset(message.source, message.labels)

    @on(Measured)
    def _measured(self, message: Measured) -> None:
        from tutor.widgets.plots import LabResults

        self.query_one(LabResults).add(message.payload)

    @on(Progressed)
    def _progressed(self, message: Progressed) -> None:
        if message.done:
            self.measuring = False
        if message.text:
            self._status(message.text)


class _Poster:
    """Hands a measurement's reports to the screen as messages (it runs in a worker thread)."""

    def __init__(self, screen: LabScreen) -> None:
        self.screen = screen

    def started(self, source: str, labels: list[str]) -> None:
        """The run began."""
        self.screen.post_message(LabScreen.Started(source, labels))

    def measured(self, payload: dict[str, Any]) -> None:
        """One result line arrived."""
        self.screen.post_message(LabScreen.Measured(payload))

    def progressed(self, text: str, done: bool = False) -> None:
        """A cell started, finished or failed."""
        self.screen.post_message(LabScreen.Progressed(text, done))
