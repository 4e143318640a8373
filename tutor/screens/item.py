"""One showing of an item (a hand exercise, a code exercise or a lab): its attempts, its rating,
taking the rating back, changing it, and leaving with what was recorded.

`ItemScreen` holds what every item screen shares; the hand and code screens add their answer
widgets and fill in a few hooks (how typed text is saved, what the status line shows, what
reopens after an undo).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from progress.rating import Rating
from tutor.practice.outcome import SKIPPED, Attempt, Paused, Recorded, Skipped
from tutor.screens.base import NotNow, TutorScreen
from tutor.session import Session
from tutor.type_ahead import HoldTyping

RATING_KEYS = ("1", "2", "3", "4")
"""The keys that set a rating after r (Again, Hard, Good, Easy)."""

RATE_PROMPT = "Rate it: 1 Again · 2 Hard · 3 Good · 4 Easy"

ResultT = TypeVar("ResultT")


def rating_bindings(screen: str) -> list[Binding]:
    """r, then 1–4 (IDs `<screen>-rate`, `<screen>-rate-1` … `-4`): two keys, so a stray digit
    typed after the answer closed changes nothing."""
    return [
        Binding(
            "r",
            "rate_prompt",
            "Rate",
            id=f"{screen}-rate",
            tooltip="Change the rating: r, then 1–4",
        ),
        *(
            Binding(key, f"rate({key})", rating.label, id=f"{screen}-rate-{key}", show=False)
            for key, rating in zip(RATING_KEYS, Rating, strict=True)
        ),
    ]


class ItemScreen(TutorScreen[Recorded | Skipped | Paused | None]):
    """One showing of an item: attempts fold into one rating, which r then 1–4 changes and u
    takes back; leaving dismisses with the recorded attempt, `SKIPPED` or `Paused(...)`."""

    STATUS_ID = ""
    """The id of the status line's `Static` (each screen names its own)."""
    LEECH_TEXT = ""
    """Said under the rating of a leech: where to look before the item comes back."""
    REVIEW_ONLY: tuple[str, ...] = ()
    """Actions that act only in a review (help marks them "only in a review" elsewhere)."""

    class Checked(Message, Generic[ResultT]):
        """A grading worker finished: the result (or why there is none) and the recorded attempt.
        Each screen subclasses it with its own result type and handles its own."""

        def __init__(self, result: ResultT, recorded: Recorded | None, error: str = "") -> None:
            super().__init__()
            self.result = result
            self.recorded = recorded
            self.error = error

    # The state the footer's keys depend on: a change shows in the footer at once.
    checking: reactive[bool] = reactive(False, bindings=True)
    solved: reactive[bool] = reactive(False, bindings=True)
    gave_up: reactive[bool] = reactive(False, bindings=True)
    hints_shown: reactive[int] = reactive(0, bindings=True)
    recorded: reactive[Recorded | None] = reactive(None, bindings=True)

    def __init__(self, session: Session, review: bool = False, review_position: str = "") -> None:
        super().__init__(session)
        self.review = review
        self.review_position = review_position
        """Where a review session stands (e.g. "review 2 of 5"), shown in the title."""
        self.started = time.monotonic()
        self.attempts = 0
        self.showing = session.new_showing()
        """This presentation of the item: its attempts, hints and time fold into one rating."""
        self._status_lines: list[str] = []
        """What the status line says (r's prompt is shown under it and goes again)."""
        self._rating_armed = False
        self._saving_give_up = False
        """A give-up is being saved by a worker: leaving and the keys typed meanwhile wait."""
        self._leave_when_saved: Callable[[], None] | None = None

    # -- hooks ------------------------------------------------------------------------------

    def shown(self) -> tuple[str, int, int]:
        """What is shown: the item's id, its variant and its par time in seconds."""
        raise NotImplementedError

    def keys_are_text(self) -> bool:
        """Whether printable keys are text now (a box or the editor has the cursor)."""
        return False

    def save_before_leaving(self) -> None:
        """Keep what was typed before the screen is dismissed."""
        self.save_typed()

    def reopen(self) -> None:
        """After an undo: open the answer again for a new attempt."""

    # -- the status line --------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self._show_status(text)

    def _show_status(self, text: str) -> None:
        self.query_one(f"#{self.STATUS_ID}", Static).update(Text(text))

    def _rating_line(self, recorded: Recorded) -> str:
        """The rating line ("Rated Good · next review … · change it: r, then 1–4"), and a leech's
        advice under it."""
        keys = "escape, r, then 1–4" if self.keys_are_text() else "r, then 1–4"
        line = f"Rated {recorded.rating.label} · {recorded.schedule_text} · change it: {keys}"
        if recorded.leech:
            line += "\n" + self.LEECH_TEXT
        return line

    # -- recording --------------------------------------------------------------------------

    def _record(
        self, correct: bool, attempt_number: int, hints: int, duration: float, *, gave_up: bool
    ) -> Recorded:
        """Record an attempt of this showing (called from worker threads)."""
        item_id, variant, par_seconds = self.shown()
        attempt = Attempt(
            item_id=item_id,
            variant=variant,
            correct=correct,
            duration_s=duration,
            par_seconds=par_seconds,
            hints_used=hints,
            attempts=attempt_number,
            gave_up=gave_up,
            showing=self.showing,
        )
        return self.session.record(attempt)

    # -- changing the rating ----------------------------------------------------------------

    def action_rate_prompt(self) -> None:
        """r: the next key 1–4 sets the rating (any other key cancels)."""
        self._rating_armed = True
        # In place of the rating line, so it shows where that line showed (a code item's status
        # has room for two lines at 80×24); the rating it would replace is named in it.
        now = f" (now {self.recorded.rating.label})" if self.recorded is not None else ""
        prompt = RATE_PROMPT + now
        lines = [prompt if line.startswith("Rated ") else line for line in self._status_lines]
        self._show_status("\n".join(lines if prompt in lines else [*lines, prompt]))
        self.refresh_bindings()

    def on_key(self, event: events.Key) -> None:
        # Any key but a rating cancels r's prompt (the rating keys reach action_rate first).
        if self._rating_armed and event.key not in RATING_KEYS:
            self._disarm_rating()

    def _disarm_rating(self) -> None:
        self._rating_armed = False
        self._show_status("\n".join(self._status_lines))
        self.refresh_bindings()

    def action_rate(self, rating: int) -> None:
        """Override the rating of the last recorded attempt (after r)."""
        self._rating_armed = False
        if self.recorded is None:
            self.notify("Nothing rated yet.")
            return
        try:
            self.recorded = self.session.override(self.recorded.uuid, Rating(rating))
        except Exception as exc:
            self.notify(f"Not saved: {exc}", severity="error")
            return
        # Only the rating line changes: the verdict and the keys stay on screen.
        line = self._rating_line(self.recorded)
        lines = [line if shown.startswith("Rated ") else shown for shown in self._status_lines]
        self._status_lines = lines if line in lines else [*lines, line]
        self._show_status("\n".join(self._status_lines))
        self.refresh_bindings()

    def action_undo(self) -> None:
        """Take back this showing's rating and answer again (the log keeps both)."""
        if self.recorded is None:
            self.notify("Nothing rated yet.")
            return
        try:
            # Only this screen's own showing, whatever other processes logged since.
            self.session.undo(self.recorded.showing or self.recorded.uuid)
        except Exception as exc:  # a locked or broken store must not take the screen down
            self.notify(f"Nothing undone: {exc}", severity="warning")
            return
        self.recorded = None
        self.solved = self.gave_up = False
        self.showing = self.session.new_showing()
        self.attempts = 0
        self.reopen()

    # -- a give-up being saved --------------------------------------------------------------

    def give_up_saving(self) -> None:
        """A worker saves a give-up now. Leaving waits for its rating (a review needs it), and
        the keys typed meanwhile wait too: `ctrl+g enter 18` answers the next item with 18."""
        self._saving_give_up = True
        self.app.post_message(HoldTyping(self, hold=True))

    def give_up_saved(self) -> None:
        """The give-up's result is in: a leave that waited goes on, then the held keys."""
        if not self._saving_give_up:
            return  # an ordinary check's verdict: nothing waits
        self._saving_give_up = False
        leave, self._leave_when_saved = self._leave_when_saved, None
        if leave is not None:
            leave()
        self.app.post_message(HoldTyping(self, hold=False))

    def after_give_up_saved(self, leave: Callable[[], None]) -> bool:
        """True if a give-up is still being saved: then `leave` runs once it is."""
        if not self._saving_give_up:
            return False
        self._leave_when_saved = leave
        return True

    def on_unmount(self) -> None:
        # Never leave keys held for a screen that is gone (its worker's result will not come).
        self.app.post_message(HoldTyping(self, hold=False))

    # -- leaving ----------------------------------------------------------------------------

    def leave(self) -> None:
        """Leave with the last recorded attempt (None if nothing was rated)."""
        self.save_before_leaving()
        self.dismiss(self.recorded)

    def leave_skipped(self) -> None:
        """Review: leave the item unanswered; it stays due."""
        self.save_before_leaving()
        self.dismiss(SKIPPED)

    def leave_paused(self) -> None:
        """Review: back to the session, which waits on this item (paused)."""
        self.save_before_leaving()
        self.dismiss(Paused(self.recorded))

    # -- what the state stops ---------------------------------------------------------------

    def not_now(self) -> dict[str, NotNow]:
        """What every item stops: undo and changing the rating before a rating, review keys
        outside a review."""
        stopped: dict[str, NotNow] = {}
        if self.recorded is None:
            for action in ("undo", "rate_prompt", "rate"):
                stopped[action] = NotNow("nothing rated yet")
        if not self.review:
            for action in self.REVIEW_ONLY:
                stopped[action] = NotNow("only in a review")
        return stopped

    def rating_allows(self, action: str) -> bool | None:
        """The rating keys' answer for `check_action`: 1–4 only after r (None: not theirs)."""
        if action == "rate":
            return self._rating_armed
        return None
