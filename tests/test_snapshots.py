"""SVG snapshots at 80×24 (textual pinned, cursor blink frozen in conftest); review diffs before updating."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tutor.screens import help as help_module

SIZE = (80, 24)


async def settle(pilot: Pilot[Any]) -> None:
    """Let the store open after first paint and the outline refresh."""
    await pilot.pause()
    await pilot.pause()


def test_home(snap_compare: Callable[..., bool], make_app: Callable[..., Any]) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)


def test_home_ansi_dark(snap_compare: Callable[..., bool], make_app: Callable[..., Any]) -> None:
    assert snap_compare(make_app(theme="ansi-dark"), terminal_size=SIZE, run_before=settle)


def test_reader_page(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], mini_course: Path
) -> None:
    async def scroll_to_code(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "j", "j", "j", "j", "j", "j")
        await pilot.pause()

    app = make_app(mini_course, start_section="1.1")
    assert snap_compare(app, terminal_size=SIZE, run_before=scroll_to_code)


def test_reader_contents_open(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], mini_course: Path
) -> None:
    app = make_app(mini_course, start_section="1.1")
    assert snap_compare(app, press=["t"], terminal_size=SIZE, run_before=settle)


def test_help(
    snap_compare: Callable[..., bool], make_app: Callable[..., Any], mini_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only this helper's screens, so the baseline does not move when other screens gain keys.
    monkeypatch.setattr(help_module, "SCREENS", help_module.SCREENS[:2])
    assert snap_compare(make_app(mini_course), press=["question_mark"], terminal_size=SIZE, run_before=settle)
