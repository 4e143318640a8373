"""Lab 1.2 in the real app headless at 80×24: a correct check, and F4 to the first measurement row.

Both are keypress to a painted frame, on the kernels the lab screen warms when it opens. The
baseline is the same correct check graded cold (no warm kernel), as every check was before.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ui import SIZE, FrameClock, _app, until

LAB = "1.lab2"


def cold_check_s(data_dir: Path) -> float:
    """Seconds to grade Lab 1.2's solution with no warm kernel (the baseline)."""
    from tutor.course.loader import load_course
    from tutor.practice.code import grade_file
    from tutor.settings import load_settings

    chapter, lab = load_course().find(LAB)
    path = data_dir / "lab2_solution.py"
    path.write_text(lab.solution, encoding="utf-8")  # type: ignore[union-attr]
    settings = load_settings(config_file=data_dir / "none.toml")
    started = time.perf_counter()
    result = grade_file(chapter, lab, path, settings, standby=False)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    if not result.correct:
        raise RuntimeError(f"the solution of {LAB} was not accepted: {result.feedback}")
    return elapsed


async def _lab(data_dir: Path, warm_s: float) -> dict[str, float]:
    from textual.widgets import Static

    from tutor.widgets.plots import LabResults

    app = _app(data_dir)
    frames = FrameClock(app)
    async with app.run_test(size=SIZE) as pilot:
        app.open_item(LAB)
        await until(lambda: type(app.screen).__name__ == "LabScreen", "the lab screen")
        screen = app.screen
        await until(lambda: bool(screen.query("#code-editor")), "the editor")
        screen.editor.load_text(screen.lab.solution)
        # What a learner does first: read the steps. Meanwhile the screen warms its kernels.
        await asyncio.sleep(warm_s)
        status = screen.query_one("#code-status", Static)

        started = time.perf_counter()
        await pilot.press("ctrl+s")
        await until(
            lambda: str(status.render()).startswith(("Correct", "Not yet", "Could not")),
            "the verdict",
        )
        verdict_at = time.perf_counter()
        await until(lambda: frames.last > verdict_at, "a frame of the verdict")
        check = frames.last - started
        if not str(status.render()).startswith("Correct"):
            raise RuntimeError(f"the solution of {LAB} was not accepted: {status.render()}")

        await asyncio.sleep(warm_s)  # the spare that replaces the grading kernel starts meanwhile
        results = screen.query_one(LabResults)
        started = time.perf_counter()
        await pilot.press("f4")
        await until(lambda: results.row_count("gflops") > 0, "the first measurement row")
        row_at = time.perf_counter()
        await until(lambda: frames.last > row_at, "a frame of the first row")
        first_row = frames.last - started
        await pilot.press("escape", "escape")  # leaving stops the rest of the run
    return {"lab2_check_s": round(check, 2), "lab_first_row_ms": round(first_row * 1000, 1)}


def measure(quick: bool = False) -> dict[str, Any]:
    """The lab figures beside the cold-check baseline."""
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as name:
        figures: dict[str, Any] = {"lab2_check_cold_s": round(cold_check_s(Path(name)), 2)}
        figures.update(asyncio.run(_lab(Path(name), warm_s=5.0 if quick else 8.0)))
    return figures
