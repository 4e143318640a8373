"""Keypress to screen in the real app headless at 80×24: a section opened with `n`, a hand answer
checked with enter, and 1.ex13 graded with ctrl+s, each to the first frame that shows the result.

The baseline is the same app's answer to a key that only scrolls the page (`j`): what any key
costs (Textual's key dispatch, a layout and a frame) before the tutor does anything of its own.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.ui import DEADLINE_S, SIZE, _app, until

SOLUTION_13 = "import numpy as np\n\n\ndef center_columns(X):\n    return X - X.mean(axis=0)\n"


class FrameLog:
    """When the app handed each rendered frame to its driver (headless apps render too)."""

    def __init__(self, app: Any) -> None:
        self.times: list[float] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.times.append(time.perf_counter())

        app._display = display

    def first_after(self, moment: float) -> float | None:
        """The first frame painted after `moment`, if any yet."""
        return next((t for t in self.times if t > moment), None)


async def _key_to_frame(
    pilot: Any, frames: FrameLog, key: str, done: Callable[[], bool], what: str
) -> float:
    """Milliseconds from pressing `key` to the first frame painted after `done()` came true.

    A task polls `done()` every millisecond from before the press (pressing waits for the app to
    settle, so the change can happen while it waits); the frame that shows the change is the first
    one painted after the last poll that did not see it."""
    not_yet = time.perf_counter()

    async def watch() -> None:
        nonlocal not_yet
        deadline = not_yet + DEADLINE_S
        while not done():
            not_yet = time.perf_counter()
            if not_yet > deadline:
                raise TimeoutError(f"the app never showed {what}")
            await asyncio.sleep(0.001)

    watcher = asyncio.get_running_loop().create_task(watch())
    started = time.perf_counter()
    await pilot.press(key)
    await watcher
    await until(lambda: frames.first_after(not_yet) is not None, f"a frame of {what}")
    shown = frames.first_after(not_yet)
    assert shown is not None
    return (shown - started) * 1000


async def _reading(app: Any, pilot: Any, frames: FrameLog, runs: int) -> dict[str, float]:
    from tutor.screens.reader import ReaderScreen

    ids = [section.id for section in app.course.sections()]
    app.open_item(ids[0])
    await until(lambda: isinstance(app.screen, ReaderScreen), "the reader")
    await asyncio.sleep(0.5)
    scrolls, opens = [], []
    for target in ids[1 : runs + 1]:
        scrolls.append(await _scroll(app, pilot, frames))
        opens.append(await _next_section(app, pilot, frames, target))
    app.action_home()
    return {
        "key_scroll_ms": round(statistics.median(scrolls), 1),
        "key_section_ms": round(statistics.median(opens), 1),
    }


async def _scroll(app: Any, pilot: Any, frames: FrameLog) -> float:
    """`j` on the page: the baseline, a key that only moves what is on screen."""
    body = app.screen.query_one("#body")
    before = body.scroll_y
    return await _key_to_frame(pilot, frames, "j", lambda: body.scroll_y != before, "a scroll")


async def _next_section(app: Any, pilot: Any, frames: FrameLog, target: str) -> float:
    """`n` in the reader, to the frame showing section `target`'s title."""

    def opened() -> bool:
        titles = app.screen.query("#body .section-title")
        return (
            getattr(app.screen, "section_id", None) == target
            and bool(titles)
            and target in str(titles.first().render())
        )

    return await _key_to_frame(pilot, frames, "n", opened, f"section {target}")


async def _hand_check(app: Any, pilot: Any, frames: FrameLog) -> float:
    """1.ex7 (one part): its answer typed, then enter: to the painted verdict (warm checker)."""
    from textual.widgets import Input, Static

    from tutor.practice.hand import expected_text

    app.open_item("1.ex7")
    await until(lambda: type(app.screen).__name__ == "HandExerciseScreen", "the hand screen")
    screen = app.screen
    await until(lambda: bool(screen.query(Input)), "the answer box")
    screen.query_one(Input).value = expected_text(screen.instance.parts[0].expected)
    await pilot.pause()
    status = screen.query_one("#hand-status", Static)

    def verdict() -> bool:
        text = str(status.render())
        return "correct" in text.lower() and "Checking" not in text

    elapsed = await _key_to_frame(pilot, frames, "enter", verdict, "the verdict")
    if not str(status.render()).startswith(("Correct", "All")):
        raise RuntimeError(f"1.ex7 with its reference answer was not accepted: {status.render()}")
    await pilot.press("escape")
    await until(lambda: type(app.screen).__name__ != "HandExerciseScreen", "home again")
    return elapsed


async def _grade_13(app: Any, pilot: Any, frames: FrameLog) -> float:
    """1.ex13 with a correct solution, ctrl+s: to the painted verdict (warm standby kernel)."""
    from textual.widgets import Static

    app.open_item("1.ex13")
    await until(lambda: type(app.screen).__name__ == "CodeExerciseScreen", "the code screen")
    screen = app.screen
    await until(lambda: bool(screen.query("#code-editor")), "the editor")
    screen.editor.load_text(SOLUTION_13)
    await asyncio.sleep(1.5)  # the spare kernel that grading uses starts meanwhile
    status = screen.query_one("#code-status", Static)

    def verdict() -> bool:
        return str(status.render()).startswith(("Correct", "Not yet", "Could not"))

    elapsed = await _key_to_frame(pilot, frames, "ctrl+s", verdict, "the verdict")
    if not str(status.render()).startswith("Correct"):
        raise RuntimeError(f"1.ex13's solution was not accepted: {status.render()}")
    await pilot.press("escape", "escape")
    await until(lambda: type(app.screen).__name__ != "CodeExerciseScreen", "home again")
    return elapsed


async def _session(data_dir: Path, quick: bool) -> dict[str, float]:
    runs = 2 if quick else 7
    app = _app(data_dir)
    frames = FrameLog(app)
    async with app.run_test(size=SIZE) as pilot:
        await asyncio.sleep(3.0)  # the app's own warm-up after first paint (checker, kernel)
        figures = await _reading(app, pilot, frames, runs)
        checks = [await _hand_check(app, pilot, frames) for _ in range(runs)]
        grades = [await _grade_13(app, pilot, frames) for _ in range(max(1, runs // 2))]
        figures["key_hand_check_ms"] = round(statistics.median(checks), 1)
        figures["key_grade_13_ms"] = round(statistics.median(grades), 1)
    return figures


def measure(quick: bool = False) -> dict[str, Any]:
    """Keypress-to-screen figures, medians of several presses, beside a scroll key's."""
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as name:
        return asyncio.run(_session(Path(name), quick))
