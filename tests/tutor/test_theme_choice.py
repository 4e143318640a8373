"""The theme picked in the app is used again at the next start (a later settings change wins)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tutor.settings import THEMES, Settings
from tutor.theme_choice import chosen_theme, keep_theme


async def test_f9_picks_a_theme_that_the_next_start_keeps(make_app: Callable[..., Any]) -> None:
    app = make_app(theme="textual-dark")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        picked = app.theme
        assert picked != "textual-dark" and picked in THEMES
    again = make_app(theme="textual-dark")
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.theme == picked


def test_a_theme_set_in_the_settings_after_the_pick_wins(tmp_path: Path) -> None:
    keep_theme(Settings(data_dir=tmp_path, theme="textual-dark"), "nord")
    assert chosen_theme(Settings(data_dir=tmp_path, theme="textual-dark")) == "nord"
    assert chosen_theme(Settings(data_dir=tmp_path, theme="ansi-dark")) == "ansi-dark"


def test_an_unreadable_choice_falls_back_to_the_settings(tmp_path: Path) -> None:
    (tmp_path / "theme.json").write_text("{not json", encoding="utf-8")
    assert chosen_theme(Settings(data_dir=tmp_path, theme="ansi-dark")) == "ansi-dark"
    (tmp_path / "theme.json").write_text(
        '{"theme": "neon", "settings": "ansi-dark"}', encoding="utf-8"
    )
    assert chosen_theme(Settings(data_dir=tmp_path, theme="ansi-dark")) == "ansi-dark"
