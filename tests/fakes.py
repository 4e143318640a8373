"""One fake session and one host app for screen tests, instead of a hand-made app per test file.

`FakeSession` is a real `Session` (progress in the test's own data dir) whose drafts live in memory,
so a test can seed and read them, and whose requests to open an item are recorded. `host` and
`hand_app` build a screen on one; `settle`, `checked` and `until` wait as a person would, and
`text_of` reads what a Static shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from tutor.course.exercise_schema import HandExercise
from tutor.course.loader import Course, load_course
from tutor.session import Session
from tutor.settings import Settings


class FakeSession(Session):
    """A session on the test's data dir with in-memory drafts and recorded `open_item` calls."""

    def __init__(
        self, settings: Settings, course: Course | None = None, drafts: dict[str, str] | None = None
    ) -> None:
        self.opened: list[str] = []
        """Item IDs screens asked to open, in order."""
        super().__init__(
            settings, course if course is not None else load_course(), navigate=self.opened.append
        )
        self.drafts = dict(drafts or {})
        """Item ID → saved draft."""
        self.saves = 0
        """How many times a draft was saved."""

    def load_draft(self, item_id: str) -> str | None:
        """The seeded or saved draft of `item_id`."""
        return self.drafts.get(item_id)

    def save_draft(self, item_id: str, text: str) -> None:
        """Keep the draft in memory and count the save."""
        self.saves += 1
        self.drafts[item_id] = text


class ScreenHost(App[None]):
    """A bare app that shows one screen built on a session and keeps what it dismisses with."""

    def __init__(self, session: Session, build: Callable[[Session], Screen[Any]]) -> None:
        super().__init__()
        self.session = session
        self._build = build
        self.dismissed: list[Any] = []
        """What the screen dismissed with, once per dismissal."""

    def on_mount(self) -> None:
        self.push_screen(self._build(self.session), callback=self.dismissed.append)


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], what: str = "", timeout: float = 30.0
) -> None:
    """Wait until `condition()` holds, as a person waits for what they expect to see, never for
    a fixed time: a loaded machine makes a screen slower, not a test wrong. A condition that
    queries a widget not there yet counts as not holding."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        try:
            if condition():
                return
        except NoMatches:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what or 'the screen'}")
        await pilot.pause(0.02)


def host(
    settings: Settings,
    build: Callable[[Session], Screen[Any]],
    drafts: dict[str, str] | None = None,
) -> tuple[ScreenHost, FakeSession]:
    """The screen `build` makes, on a fake session over the shipped course seeded with `drafts`;
    the app and the session."""
    session = FakeSession(settings, drafts=drafts)
    return ScreenHost(session, build), session


def hand_app(
    session: FakeSession | Settings, exercise_id: str, variant: int = 0, review: bool = False
) -> ScreenHost:
    """A hand exercise's screen on `session` (or a fake session on these settings)."""
    from tutor.screens.hand_exercise import HandExerciseScreen

    if isinstance(session, Settings):
        session = FakeSession(session)
    chapter, exercise = session.course.find(exercise_id)
    assert isinstance(exercise, HandExercise)
    return ScreenHost(
        session, lambda s: HandExerciseScreen(s, chapter, exercise, variant=variant, review=review)
    )


def text_of(app: App[Any], selector: str) -> str:
    """What the Static at `selector` on the current screen shows, as plain text."""
    return str(app.screen.query_one(selector, Static).render())


async def checked(pilot: Pilot[Any]) -> None:
    """Wait for the screen's grading worker and its message (its `checking` flag goes down)."""
    screen = pilot.app.screen
    for _ in range(300):
        await pilot.pause(0.05)
        if not getattr(screen, "checking", False):
            return
    raise AssertionError("the check did not finish")


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker finish (a kernel starting, a cell running) and the screen refresh."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
