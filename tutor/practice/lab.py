"""A Code Lab's measurements: the learner's file in a fresh sandboxed kernel, fed the lab's cells.

Never in the tutor's process. The caller (a screen's thread worker) gets each `@@lab` result line
and each step's progress through a listener, and may stop a run from another thread.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tutor.course.exercise_schema import Lab
from tutor.course.loader import Chapter
from tutor.settings import Settings

if TYPE_CHECKING:
    from checkers.kernel import Kernel, KernelConfig

MEASURE_TIMEOUT = 300.0
"""Seconds one measurement cell may take (a 4096² multiply with loops of warm-up on 2 cores)."""


class MeasurementListener(Protocol):
    """Who hears how a measurement run goes (called from the worker thread)."""

    def started(self, source: str, labels: list[str]) -> None:
        """The run began: where its data came from and the labels of its points."""

    def measured(self, payload: dict[str, Any]) -> None:
        """One result line from the kernel."""

    def progressed(self, text: str, done: bool = False) -> None:
        """A cell started, finished or failed; `text` says which, for the status line."""


class Measurement:
    """One run of a lab's measurements on the learner's file; `stop` ends it from any thread."""

    def __init__(self, chapter: Chapter, lab: Lab, settings: Settings) -> None:
        self.chapter = chapter
        self.lab = lab
        self.settings = settings
        self._kernel: Kernel | None = None

    def run(self, source: str, listener: MeasurementListener) -> None:
        """Load `source`, hand over the inputs, run each cell, report what it prints (blocks)."""
        from checkers.kernel import Kernel, KernelError

        labs = labs_module(self.chapter)
        try:
            inputs = labs.lab_inputs(self.lab.id)
            listener.started(inputs.source, inputs.labels)
            with Kernel(self._config()) as kernel:
                self._kernel = kernel
                if not self._prepare(kernel, labs, source, inputs.arrays, listener):
                    return
                for cell in labs.measurement_cells(self.lab.id):
                    listener.progressed(f"Measuring: {cell.title}…")
                    result = kernel.execute(cell.code, timeout=MEASURE_TIMEOUT)
                    for line in result.stdout.splitlines():
                        payload = labs.parse_measurement(line)
                        if payload is not None:
                            listener.measured(payload)
                    if not result.ok:
                        listener.progressed(
                            f"{cell.title} failed:\n{result.error or result.status}"
                        )
                        if result.restarted:
                            return
        except (KernelError, OSError) as exc:
            listener.progressed(f"The measurement kernel failed: {exc}", done=True)
            return
        finally:
            self._kernel = None
            listener.progressed("", done=True)
        listener.progressed(
            "Measurements done: ctrl+f shows them full screen, ctrl+s checks your functions."
        )

    def stop(self) -> None:
        """End the run: the running cell ends with its kernel."""
        kernel = self._kernel
        if kernel is not None:
            kernel.close()

    def _prepare(
        self,
        kernel: Kernel,
        labs: Any,
        source: str,
        arrays: dict[str, Any],
        listener: MeasurementListener,
    ) -> bool:
        import numpy as np

        # Loaded as a module (not __main__): a demo under `if __name__ == "__main__"` stays out.
        loaded = kernel.request(
            {"op": "load", "source": source, "filename": f"{self.lab.id}.py"}, MEASURE_TIMEOUT
        )
        if not loaded.ok:
            listener.progressed(f"Your file could not be run:\n{loaded.error}", done=True)
            return False
        kernel.execute("from solution import *\n" + labs.PRELUDE)
        for name, array in arrays.items():
            path = os.path.join(kernel.scratch_dir, f"{name.strip('_')}.npy")
            np.save(path, array, allow_pickle=False)
            kernel.give_to_worker(path)
            kernel.execute(f"{name} = _np.load({path!r}, allow_pickle=False)")
        return True

    def _config(self) -> KernelConfig:
        from tutor.practice.code import kernel_config

        config = kernel_config(self.settings, torch="torch" in self.lab.requires, standby=False)
        gpu = any(Path("/dev").glob("nvidia[0-9]*"))
        # CUDA reserves far more address space than a CPU kernel's limit allows.
        return dataclasses.replace(
            config, timeout=MEASURE_TIMEOUT, memory_mb=0 if gpu else config.memory_mb
        )


def labs_module(chapter: Chapter) -> Any:
    """The chapter's trusted labs module (measurement plans and inputs)."""
    return chapter.module("labs")
