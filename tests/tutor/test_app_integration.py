"""The app as a whole: home shows progress and refreshes, the course cache, warm-ups after paint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import OptionList, Static

from tutor.course.loader import cache_file_for
from tutor.practice.outcome import Attempt
from tutor.recording import record_attempt
from tutor.screens.home import HomeScreen

FIXED_NOW = "2026-03-02T09:00:00+00:00"
"""As conftest's `tutor_env` sets it."""

SIZE = (80, 24)
YESTERDAY = (datetime.fromisoformat(FIXED_NOW) - timedelta(days=1)).isoformat()
TWO_DAYS_AGO = (datetime.fromisoformat(FIXED_NOW) - timedelta(days=2)).isoformat()
PERCENT = re.compile(r"[█░]{5} +\d+%$")


def plain(renderable: Any, width: int = 80) -> str:
    console = Console(width=width, record=True, file=open(os.devnull, "w"), color_system=None)
    console.print(renderable)
    return console.export_text().rstrip("\n")


def rows(app: Any) -> dict[str, str]:
    """Outline row text by option ID."""
    outline = app.screen.query_one("#outline", OptionList)
    options = [outline.get_option_at_index(i) for i in range(outline.option_count)]
    return {str(option.id): plain(option.prompt, 200).rstrip() for option in options}


def status(app: Any) -> str:
    return plain(app.screen.query_one("#home-status", Static).content, 200)


def attempt(
    app: Any, item_id: str, correct: bool, monkeypatch: pytest.MonkeyPatch, at: str
) -> None:
    """Record an attempt at time `at` through the app's own recording path."""
    monkeypatch.setenv("TUTOR_NOW", at)
    record_attempt(app.settings, Attempt(item_id, 0, correct, duration_s=40, par_seconds=180))
    monkeypatch.setenv("TUTOR_NOW", FIXED_NOW)


async def test_home_shows_each_exercise_state_section_mastery_and_due(
    make_app: Callable[..., Any], mini_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(mini_course)
    # A first solve is learning; solved again the next study day, the item is learned.
    attempt(app, "1.ex1", True, monkeypatch, TWO_DAYS_AGO)
    attempt(app, "1.ex1", True, monkeypatch, YESTERDAY)
    attempt(app, "1.ex2", False, monkeypatch, YESTERDAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown, line = rows(app), status(app)
    assert shown["1.ex1"].lstrip().startswith("● 1.ex1")  # learned: right twice, not due
    assert shown["1.ex2"].lstrip().startswith("◆ 1.ex2")  # wrong yesterday: due again
    assert shown["1.ex3"].lstrip().startswith("○ 1.ex3")  # never tried
    assert shown["1.lab1"].lstrip().startswith("○ 1.lab1")
    first = PERCENT.search(shown["1.1"])
    # One of its three items recalled: a third at most.
    assert first is not None and 0 < int(first.group().split()[-1][:-1]) <= 34
    assert PERCENT.search(shown["1.2"])
    assert "%" not in shown["1.3"]  # nothing to practise there, so no mastery
    assert "1 due for review" in line
    assert "○ new ◐ learning ◆ due ● learned" in line


async def test_home_marks_suspended_items_and_tried_labs_out_of_the_reviews(
    make_app: Callable[..., Any], mini_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutor.recording import open_store

    app = make_app(mini_course)
    attempt(app, "1.ex2", False, monkeypatch, YESTERDAY)  # due now, until suspended
    attempt(app, "1.lab1", True, monkeypatch, TWO_DAYS_AGO)  # tried, never added to the reviews
    attempt(app, "1.ex1", True, monkeypatch, YESTERDAY)
    open_store(app.settings).set_mark("1.ex2", "suspended", True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown, line = rows(app), status(app)
    assert shown["1.ex2"].lstrip().startswith("⊘ 1.ex2")  # as `tutor due` and stats: not due
    assert shown["1.lab1"].lstrip().startswith("⊘ 1.lab1")
    # Right yesterday and in the reviews: due (the one due count), as 1.ex2 would be.
    assert shown["1.ex1"].lstrip().startswith("◆ 1.ex1") and shown["1.ex3"].lstrip().startswith("○")
    assert line == "0/3 read · 1 due · ○ new ◐ learning ◆ due ● learned ⊘ suspended"


async def test_home_refreshes_when_the_learner_comes_back(
    make_app: Callable[..., Any], mini_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(mini_course)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = rows(app)
        assert before["1.ex3"].lstrip().startswith("○") and "0 due for review" in status(app)
        await pilot.press("enter", "end")  # the reader on 1.1, read to its end
        await pilot.pause()
        assert not isinstance(app.screen, HomeScreen)
        attempt(app, "1.ex3", True, monkeypatch, FIXED_NOW)
        attempt(app, "1.ex1", False, monkeypatch, FIXED_NOW)
        app.action_home()
        await pilot.pause()
        after = rows(app)
        line = status(app)
    # Right at the first try: learning, back tomorrow to show it stuck (not learned yet).
    assert after["1.ex3"].lstrip().startswith("◐ 1.ex3")
    # Wrong just now: back within minutes, so learning, not learned (and not due this second).
    assert after["1.ex1"].lstrip().startswith("◐ 1.ex1")
    assert "0 due for review" in line
    assert after["1.1"] != before["1.1"] and PERCENT.search(after["1.1"])
    assert after["1.1"].startswith("✓ 1.1")  # its end was on screen: read


@pytest.mark.parametrize("width", [64, 80])
async def test_home_rows_fit_and_keep_their_parts_at_narrow_widths(
    make_app: Callable[..., Any], width: int
) -> None:
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        shown = rows(app)
        line = status(app)
        practised = {
            section.id: bool(chapter.items_in(section.id))
            for chapter in app.course.chapters
            for section in chapter.sections
        }
    room = width - 4  # outline padding and scrollbar
    assert [row for row in shown.values() if len(row) > room] == []
    for item_id, row in shown.items():
        if item_id in practised:
            assert bool(PERCENT.search(row)) == practised[item_id], row  # mastery if practice
        else:
            assert row.split()[0] == "○" and row.endswith(("hand", "code", "lab")), row
    assert any("…" in row for row in shown.values()) == (width == 64)
    assert len(line) <= width - 2 and line.endswith("○ new ◐ learning ◆ due ● learned")
    words = "0/8 sections read · 0 due for review" if width == 80 else "0/8 read · 0 due"
    assert line.startswith(words)


async def test_start_uses_the_course_cache_and_shows_an_edit_at_once(
    make_app: Callable[..., Any], mini_course: Path, tmp_path: Path, tutor_env: Path
) -> None:
    root = tmp_path / "content"
    shutil.copytree(mini_course, root)
    for path in root.rglob("*"):
        os.utime(path, ns=(1_600_000_000 * 10**9,) * 2)
    async with make_app(root).run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert cache_file_for(root, tutor_env / "cache").is_file()
    exercises = root / "ch1" / "hand_exercises.yaml"
    text = exercises.read_text(encoding="utf-8")
    exercises.write_text(text.replace("title: Norms", "title: Nurms"), encoding="utf-8")
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Nurms" in rows(app)["1.ex1"]


WARM_PROBE = r"""
import asyncio, json, os, sys, time
from pathlib import Path
from tutor.app import TutorApp
from tutor.settings import Settings

async def main():
    app = TutorApp(Settings(data_dir=Path(sys.argv[1])), warm_practice=True)
    gaps, last = [], [None]
    def tick():
        now = time.perf_counter()
        if last[0] is not None:
            gaps.append((now - last[0]) * 1000)
        last[0] = now
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_interval(0.01, tick)
        await asyncio.sleep(3.0)
        from checkers.kernel import kernel
        from checkers.kernel.process import descendants
        from tutor.practice import hand
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (hand.checker_pool().alive and kernel._STANDBYS):
            await asyncio.sleep(0.1)
        [spare] = kernel._STANDBYS.values()
        worker = spare.result(timeout=60)
        during = {"pool": hand.checker_pool().alive, "spare": worker.popen.pid,
                  "children": descendants(os.getpid())}
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "sympy", "torch"))
    left = [pid for pid in during["children"] if Path(f"/proc/{pid}").exists()]
    after = descendants(os.getpid())
    print(json.dumps({"during": during, "heavy": heavy, "left": left, "after": after,
                      "max_gap_ms": max(gaps), "ticks": len(gaps)}))

asyncio.run(main())
"""


@pytest.mark.slow
def test_warm_ups_start_after_first_paint_and_stop_with_the_app(tmp_path: Path) -> None:
    """The checker worker and a spare kernel start (as processes only: no sympy or numpy in the
    app), the UI keeps ticking while they load, and nothing outlives the app."""
    env = {**os.environ, "TUTOR_CONFIG": str(tmp_path / "none.toml"), "TUTOR_NOW": FIXED_NOW}
    done = subprocess.run(
        [sys.executable, "-c", WARM_PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["during"]["pool"] is True
    assert seen["during"]["spare"] in seen["during"]["children"]
    assert len(seen["during"]["children"]) >= 2
    assert seen["heavy"] == []
    assert seen["left"] == [] and seen["after"] == []
    # A 10 ms probe over the first 3 s: sympy loading in-process would stall it for seconds.
    assert seen["ticks"] > 50
    assert seen["max_gap_ms"] < 400, seen["max_gap_ms"]


async def test_collector_paused_for_start_up_resumes_after_the_first_frame(
    make_app: Callable[..., Any],
) -> None:
    import gc

    gc.disable()  # as `tutor start` does before importing the app
    try:
        app = make_app(resume_gc=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()


def test_tutor_start_pauses_the_collector_only_until_the_app_is_done(
    monkeypatch: pytest.MonkeyPatch, tutor_env: Path
) -> None:
    import argparse
    import gc

    from tutor.app import TutorApp
    from tutor.commands import start
    from tutor.settings import load_settings

    seen: dict[str, Any] = {}

    def fake_run(self: TutorApp) -> None:
        seen.update(enabled=gc.isenabled(), resume=self.resume_gc)

    monkeypatch.setattr(TutorApp, "run", fake_run)
    monkeypatch.setattr(start, "terminal_problem", lambda: None)
    assert start.run(argparse.Namespace(section=None), load_settings()) == 0
    assert seen == {"enabled": False, "resume": True}
    assert gc.isenabled()
