"""The real app headless at 80×24: section open-to-rendered, event-loop stalls during warm-up, first
check."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZE = (80, 24)
PROBE_S = 0.01
DEADLINE_S = 30.0


class StallProbe:
    """A task on the app's event loop that sleeps 10 ms at a time and keeps the worst lateness."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def reset(self) -> float:
        """The worst stall so far (ms), then start a fresh window."""
        worst, self.worst_ms = self.worst_ms, 0.0
        return worst

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(PROBE_S)
            late = (time.perf_counter() - started - PROBE_S) * 1000
            self.worst_ms = max(self.worst_ms, late)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


class FrameClock:
    """Records when the app last handed a rendered frame to its driver (headless apps render
    too)."""

    def __init__(self, app: Any) -> None:
        self.last = 0.0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.last = time.perf_counter()

        app._display = display


async def until(condition: Callable[[], bool], what: str) -> None:
    """Poll the condition on the app's loop every 2 ms until it holds (fail after DEADLINE_S)."""
    deadline = time.perf_counter() + DEADLINE_S
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the app never showed {what}")
        await asyncio.sleep(0.002)


def _app(data_dir: Path) -> Any:
    from tutor.app import TutorApp
    from tutor.settings import load_settings

    os.environ["TUTOR_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("TUTOR_CONFIG", str(data_dir / "none.toml"))
    # Headless apps skip the checker and kernel warm-up by default; the bench wants the real one.
    return TutorApp(load_settings(config_file=data_dir / "none.toml"), warm_practice=True)


async def _open_section(app: Any, frames: FrameClock, section: Any) -> float:
    """Milliseconds from asking for a section to a frame painted after its page is on screen."""
    from tutor.screens.reader import ReaderScreen

    def shown() -> bool:
        screen = app.screen
        if not isinstance(screen, ReaderScreen) or screen.section_id != section.id:
            return False
        titles = screen.query("#body .section-title")
        return bool(titles) and section.title in str(titles.first().render())

    started = time.perf_counter()
    app.open_item(section.id)
    await until(shown, f"section {section.id}")
    shown_at = time.perf_counter()
    await until(lambda: frames.last > shown_at, f"a frame of section {section.id}")
    elapsed = (frames.last - started) * 1000
    app.action_home()
    await until(lambda: not isinstance(app.screen, ReaderScreen), "home again")
    return elapsed


async def _first_check(app: Any, pilot: Any, frames: FrameClock) -> float:
    """Open 1.ex1, type its answers, submit: milliseconds from submit to the painted verdict."""
    from textual.widgets import Input, Static

    from tutor.practice.hand import expected_text

    app.open_item("1.ex1")
    await until(
        lambda: type(app.screen).__name__ == "HandExerciseScreen", "the hand exercise screen"
    )
    screen = app.screen
    await until(lambda: len(screen.query(Input)) == len(screen.instance.parts), "the answer boxes")
    for part, box in zip(screen.instance.parts, screen.query(Input), strict=False):
        box.value = expected_text(part.expected)
    await pilot.pause()
    status = screen.query_one("#hand-status", Static)
    started = time.perf_counter()
    screen.action_submit()
    await until(
        lambda: (
            "correct" in str(status.render()).lower() and "Checking" not in str(status.render())
        ),
        "the verdict",
    )
    verdict_at = time.perf_counter()
    await until(lambda: frames.last > verdict_at, "a frame of the verdict")
    text = str(status.render())
    if not text.startswith(("Correct", "All")):
        raise RuntimeError(f"1.ex1 with its reference answers was not accepted: {text}")
    return (frames.last - started) * 1000


async def _session(data_dir: Path, warmup_s: float) -> dict[str, float | str]:
    from tutor.course.loader import load_course

    sections = load_course().sections()
    app = _app(data_dir)
    probe = StallProbe()
    frames = FrameClock(app)
    async with app.run_test(size=SIZE) as pilot:
        probe.start()
        # The app does its normal warm-up after first paint; nothing else happens meanwhile.
        await asyncio.sleep(warmup_s)
        stall = probe.reset()
        opens = {section.id: await _open_section(app, frames, section) for section in sections}
        open_stall = probe.reset()
        first_check = await _first_check(app, pilot, frames)
        check_stall = probe.reset()
        probe.stop()
        await pilot.press("escape", "escape")
    slowest = max(opens, key=opens.__getitem__)
    return {
        "section_open_ms_max": round(opens[slowest], 1),
        "section_open_slowest": slowest,
        "section_open_ms_median": round(sorted(opens.values())[len(opens) // 2], 1),
        "ui_max_stall_ms": round(stall, 1),
        "ui_max_stall_reading_ms": round(open_stall, 1),
        "hand_first_check_ms": round(first_check, 1),
        "ui_max_stall_first_check_ms": round(check_stall, 1),
    }


async def _bare_section(warm: bool) -> float:
    """Baseline: a bare Textual app mounting one Static holding a section's plain text, to a
    frame."""
    from rich.text import Text
    from textual.app import App
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    from tutor.course.loader import load_course

    section = load_course().sections()[0]
    text = "\n\n".join([section.title, section.summary, *(repr(block) for block in section.blocks)])
    app = App[None]()
    frames = FrameClock(app)
    async with app.run_test(size=SIZE):
        started = time.perf_counter()
        scroll = VerticalScroll()
        await app.screen.mount(scroll)
        await scroll.mount(Static(Text(text)))
        mounted = time.perf_counter()
        await until(lambda: frames.last > mounted, "a frame")
        return (frames.last - started) * 1000


def measure(quick: bool = False) -> dict[str, Any]:
    """Section opening, stalls and first check in one fresh app; the bare-Textual mount beside
    it."""
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as name:
        figures = asyncio.run(_session(Path(name), warmup_s=3.0 if quick else 5.0))
    figures["bare_section_open_ms"] = round(asyncio.run(_bare_section(True)), 1)
    return figures
