"""The base of every screen that works with the learner's progress, course or kernels."""

from __future__ import annotations

from typing import NamedTuple, TypeVar

from textual.screen import Screen

from tutor.session import Session

ResultType = TypeVar("ResultType")


class NotNow(NamedTuple):
    """Why an action of a screen cannot act in the screen's present state."""

    why: str
    """Said in help beside the key ("the answers are checked")."""
    soon: bool = False
    """It comes back by itself in a moment (a check running): shown disabled, not hidden."""


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

    def not_now(self) -> dict[str, NotNow]:
        """The actions (by name, without arguments) this screen's present state stops from acting:
        the footer hides them (or shows them disabled when they come back soon) and help marks
        them. Screens whose keys depend on their state override it; `check_action` asks
        `state_allows` first."""
        return {}

    def state_allows(self, action: str) -> bool | None:
        """`check_action`'s answer from `not_now`: True, False (hidden) or None (disabled)."""
        stopped = self.not_now().get(action)
        if stopped is None:
            return True
        return None if stopped.soon else False
