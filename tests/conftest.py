"""Shared fixtures: an isolated data dir and clock, the tiny fixture course, cursor blink frozen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from tutor.course.loader import Chapter, load_course
from tutor.settings import Settings, load_settings

FIXTURES = Path(__file__).parent / "fixtures"
FIXED_NOW = "2026-03-02T09:00:00+00:00"


@pytest.fixture(autouse=True)
def frozen_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cursors never blink in tests, so snapshots do not depend on the blink phase."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def tutor_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data dir, no user config file, and a fixed clock; returns the data dir."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TUTOR_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("TUTOR_NOW", FIXED_NOW)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return data_dir


@pytest.fixture(scope="module")
def chapter() -> Chapter:
    """Chapter 1 of the shipped course, loaded once per test module."""
    return load_course().chapters[0]


@pytest.fixture
def settings(tutor_env: Path) -> Settings:
    """Settings as the CLI reads them inside `tutor_env`."""
    return load_settings()


@pytest.fixture
def screen_settings(tutor_env: Path) -> Settings:
    """Settings for a screen test: the isolated data dir, the cursor not blinking."""
    return Settings(data_dir=tutor_env, cursor_blink=False)


@pytest.fixture
def mini_course() -> Path:
    """A three-section course with two hand exercises, a code exercise and a lab."""
    return FIXTURES / "mini_course"


@pytest.fixture
def broken_course() -> Path:
    """A course whose section 1.1 misspells a key on line 9."""
    return FIXTURES / "broken_course"


@pytest.fixture
def make_app(tutor_env: Path) -> Callable[..., Any]:
    """Build a TutorApp on the isolated data dir: `make_app(content_dir=..., theme=...,
    **app_kwargs)`."""
    from tutor.app import TutorApp

    def build(
        content_dir: Path | None = None, theme: str = "textual-dark", **kwargs: Any
    ) -> TutorApp:
        settings = Settings(data_dir=tutor_env, theme=theme, cursor_blink=False)
        return TutorApp(settings, content_dir=content_dir, **kwargs)

    return build


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    """An empty progress store in a temporary folder (test files with a seeded store override
    it)."""
    from progress.store import Store

    opened = Store.open(tmp_path / "progress.sqlite3")
    yield opened
    opened.close()
