"""SVG snapshots of every screen a learner works in, at 80×24 and 120×40.

Deterministic: Textual is pinned, the clock is `TUTOR_NOW`, the data dir is the test's own, cursors
never blink (conftest), and REPL panes talk to a stand-in kernel (a real one would print this
machine's sandbox level). Review a diff in the report before `--snapshot-update` (CONTRIBUTING.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from checkers.kernel import CellResult, SandboxLevel
from tests.fakes import settle
from tutor.app import TutorApp
from tutor.practice.outcome import Attempt
from tutor.screens import help as help_module
from tutor.session import Session
from tutor.settings import Settings

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


class StubKernel:
    """Answers REPL cells without a process: `x * 21` after `x = 2` is 42, and nothing else runs."""

    sandbox_level = SandboxLevel(name="full")

    def __init__(self) -> None:
        self.cells: list[str] = []

    def start(self) -> None:
        """Nothing to start."""

    def restart(self) -> None:
        """Forget the cells."""
        self.cells.clear()

    def execute(self, code: str, timeout: float | None = None) -> CellResult:
        """The repr of a last line `x * 21` is 42; every cell takes no time."""
        self.cells.append(code)
        value = "42" if code.strip().endswith("x * 21") else None
        return CellResult(status="ok", value=value)

    def interrupt(self) -> None:
        """Nothing runs long enough to interrupt."""

    def close(self) -> None:
        """Nothing to close."""


@pytest.fixture(autouse=True)
def stub_kernels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every REPL pane gets a stand-in kernel."""
    monkeypatch.setattr(Session, "new_kernel", lambda self, torch=False: StubKernel())
    yield


def opened(item_id: str, *keys: str) -> Callable[[Pilot[Any]], Any]:
    """A `run_before` that opens `item_id` from home, then presses `keys`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, TutorApp)
        pilot.app.open_item(item_id)
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_home(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=settle)


def test_home_ansi_dark(snap_compare: Callable[..., bool], make_app: Callable[..., Any]) -> None:
    assert snap_compare(make_app(theme="ansi-dark"), terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_reader_page(
    snap_compare: Callable[..., bool],
    make_app: Callable[..., Any],
    mini_course: Path,
    size: tuple[int, int],
) -> None:
    async def scroll_to_code(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "j", "j", "j", "j", "j", "j")
        await pilot.pause()

    app = make_app(mini_course, start_section="1.1")
    assert snap_compare(app, terminal_size=size, run_before=scroll_to_code)


def test_reader_contents_open(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], mini_course: Path
) -> None:
    app = make_app(mini_course, start_section="1.1")
    assert snap_compare(app, press=["t"], terminal_size=(80, 24), run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_hand_exercise_with_a_part_typed(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=opened("1.ex1", *"3"))


@pytest.mark.parametrize("size", SIZES)
def test_code_exercise(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=opened("1.ex14"))


@pytest.mark.parametrize("size", SIZES)
def test_lab(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=opened("1.lab1"))


@pytest.mark.parametrize("size", SIZES)
def test_review_paused(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], size: tuple[int, int]
) -> None:
    """The session's own screen: its first item was left unanswered (escape leaves the box, then
    it)."""

    async def pause_the_first_item(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)

    app = make_app(start_review=True)
    assert snap_compare(app, terminal_size=size, run_before=pause_the_first_item)


@pytest.mark.parametrize("size", SIZES)
def test_stats(
    snap_compare: Callable[..., bool],
    make_app: Callable[..., Any],
    settings: Settings,
    size: tuple[int, int],
) -> None:
    from tutor.recording import close_stores, record_attempt

    for item_id, correct in (("1.ex1", True), ("1.ex2", False), ("1.ex14", True)):
        record_attempt(settings, Attempt(item_id, 1, correct, duration_s=60.0, par_seconds=180))
    close_stores()
    assert snap_compare(make_app(), press=["s"], terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_repl(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], size: tuple[int, int]
) -> None:
    async def run_a_cell(pilot: Pilot[Any]) -> None:
        from tutor.screens.repl_screen import ReplScreen

        await settle(pilot)
        assert isinstance(pilot.app, TutorApp)
        screen = ReplScreen(pilot.app.session)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        screen.run_example("x = 2")
        await settle(pilot)
        screen.run_example("x * 21")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_a_cell)


@pytest.mark.parametrize("size", SIZES)
def test_help(
    snap_compare: Callable[..., bool],
    make_app: Callable[..., Any],
    mini_course: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    # Only the first screens, so the baseline does not move whenever another screen gains a key.
    monkeypatch.setattr(help_module, "SCREENS", help_module.SCREENS[:2])
    assert snap_compare(
        make_app(mini_course), press=["question_mark"], terminal_size=size, run_before=settle
    )
