"""The base of every screen that works with the learner's progress, course or kernels."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen

from tutor.session import Session

ResultType = TypeVar("ResultType")


class TutorScreen(Screen[ResultType]):
    """A screen given the session: its one typed way to settings, course, progress and kernels."""

    def __init__(
        self,
        session: Session,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.session = session
        """Settings, the course, progress and kernels (never the app's attributes)."""

    def save_typed(self) -> None:
        """Save what the learner typed and has not checked yet; the app calls it on every screen
        before quitting or on a hang-up, and screens with answer boxes or an editor override it."""
