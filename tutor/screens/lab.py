"""A Code Lab: its steps, the code editor of code exercises, and measurements shown as tables and plots.

Measurements run in a fresh sandboxed kernel that loads the learner's file (never in this process);
a thread worker feeds it the lab's cells and posts each `@@lab` result line back as a message.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

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

MEASURE_TIMEOUT = 300.0
"""Seconds one measurement cell may take (a 4096² multiply with loops of warm-up on 2 cores)."""


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

    def __init__(self, chapter: Chapter, lab: Lab, review: bool = False, session: str = "") -> None:
        super().__init__(chapter, lab, review, session)
        self.lab = lab
        self.measuring = False
        self._measure_kernel: Any = None

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
        self.run_worker(lambda: self._measure(source), thread=True, exclusive=True, group="lab-measure",
                        exit_on_error=False)

    def _measure(self, source: str) -> None:
        """Worker thread: load the file, hand over the inputs, run each cell, post what it prints."""
        from checkers.kernel import Kernel, KernelError

        labs = _labs_module(self.chapter)
        try:
            inputs = labs.lab_inputs(self.lab.id)
            self.post_message(self.Started(inputs.source, inputs.labels))
            with Kernel(self._measure_config()) as kernel:
                self._measure_kernel = kernel
                if not self._prepare(kernel, labs, source, inputs.arrays):
                    return
                for cell in labs.measurement_cells(self.lab.id):
                    self.post_message(self.Progressed(f"Measuring: {cell.title}…"))
                    result = kernel.execute(cell.code, timeout=MEASURE_TIMEOUT)
                    for line in result.stdout.splitlines():
                        payload = labs.parse_measurement(line)
                        if payload is not None:
                            self.post_message(self.Measured(payload))
                    if not result.ok:
                        self.post_message(self.Progressed(f"{cell.title} failed:\n{result.error or result.status}"))
                        if result.restarted:
                            return
        except (KernelError, OSError) as exc:
            self.post_message(self.Progressed(f"The measurement kernel failed: {exc}", done=True))
            return
        finally:
            self._measure_kernel = None
            self.post_message(self.Progressed("", done=True))
        self.post_message(self.Progressed("Measurements done: ctrl+f shows them full screen, ctrl+s checks your functions."))

    def _prepare(self, kernel: Any, labs: Any, source: str, arrays: dict[str, Any]) -> bool:
        import numpy as np

        # Loaded as a module (not __main__), so a demo block under `if __name__ == "__main__"` stays out.
        loaded = kernel.request({"op": "load", "source": source, "filename": f"{self.lab.id}.py"}, MEASURE_TIMEOUT)
        if not loaded.ok:
            self.post_message(self.Progressed(f"Your file could not be run:\n{loaded.error}", done=True))
            return False
        kernel.execute("from solution import *\n" + labs.PRELUDE)
        for name, array in arrays.items():
            path = os.path.join(kernel.scratch_dir, f"{name.strip('_')}.npy")
            np.save(path, array, allow_pickle=False)
            kernel.give_to_worker(path)
            kernel.execute(f"{name} = _np.load({path!r}, allow_pickle=False)")
        return True

    def _measure_config(self) -> Any:
        from tutor.practice.code import kernel_config

        config = kernel_config(self.app.settings, torch="torch" in self.lab.requires, standby=False)  # type: ignore[attr-defined]
        gpu = any(Path("/dev").glob("nvidia[0-9]*"))
        # CUDA reserves far more address space than a CPU kernel's limit allows.
        return dataclasses.replace(config, timeout=MEASURE_TIMEOUT, memory_mb=0 if gpu else config.memory_mb)

    def on_unmount(self) -> None:
        super().on_unmount()
        kernel = self._measure_kernel
        if kernel is not None:
            kernel.close()  # leaving stops the measurements: the running cell ends with the kernel

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


def _labs_module(chapter: Chapter) -> Any:
    """The chapter's trusted labs module (measurement plans and inputs)."""
    import sys

    chapter.reference("labs.measurement_cells")
    return sys.modules[f"_tutor_content_ch{chapter.number}_labs"]
