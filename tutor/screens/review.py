"""A review session: due exercises by lowest recall first, new ones mixed in, each as a fresh
variant."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from progress.rating import Rating
from tutor.course.exercise_schema import CodeExercise, HandExercise, Lab
from tutor.practice.outcome import Paused, Recorded, Skipped
from tutor.screens.base import NotNow, TutorScreen
from tutor.session import Session

if TYPE_CHECKING:
    from tutor.session import QueueItem


@dataclass
class SessionTally:
    """What happened so far in one session."""

    done: list[tuple[str, Recorded]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def right(self) -> int:
        """Items answered well enough to pass (Hard, Good or Easy)."""
        return sum(1 for _, recorded in self.done if recorded.rating != Rating.Again)

    @property
    def wrong(self) -> int:
        """Items rated Again."""
        return sum(1 for _, recorded in self.done if recorded.rating == Rating.Again)


class ReviewScreen(TutorScreen[None]):
    """Runs the day's queue through the exercise screens, with a progress bar, then a summary."""

    BINDINGS = [
        Binding(
            "enter", "resume", "Continue", id="review-continue", tooltip="Go on with the next item"
        ),
        Binding("s", "skip", "Skip", id="review-skip", tooltip="Leave this item for another time"),
        Binding(
            "u",
            "undo",
            "Undo last",
            id="review-undo",
            tooltip="Take back the last rating and redo it",
        ),
        Binding(
            "escape",
            "finish",
            "End",
            id="review-end",
            tooltip="End the session and see the summary",
        ),
    ]
    finished: reactive[bool] = reactive(False, bindings=True)
    """The summary shows: only escape (back) is left in the footer."""
    DEFAULT_CSS = """
    ReviewScreen #review-title { padding: 0 1; background: $boost; color: $text; text-style: bold; }
    ReviewScreen #review-progress { padding: 1 1 0 1; height: auto; }
    ReviewScreen #review-status { padding: 1 1; height: auto; }
    ReviewScreen #review-summary { padding: 0 1; height: auto; border: round $primary; }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.queue: list[QueueItem] = []
        self.position = 0
        self.tally = SessionTally()

    # -- set-up -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("Review session", id="review-title")
        yield ProgressBar(total=1, show_eta=False, id="review-progress")
        yield Static("", id="review-status")
        yield Static("", id="review-summary")
        yield Footer()

    def on_mount(self) -> None:
        self.queue = self.session.review_queue()
        self.query_one("#review-summary", Static).display = False
        self.query_one(ProgressBar).update(total=max(1, len(self.queue)), progress=0)
        self.query_one("#review-title", Static).update(f"Review session · {self.mix_text()}")
        if not self.queue:
            self.action_finish()
            return
        self.call_after_refresh(self._start_next)

    # -- the loop ---------------------------------------------------------------------------

    def exercise_screen(self, item_id: str) -> Screen[Any] | None:
        """The screen that asks this item: a new variant of a hand exercise, code from the
        starter."""
        chapter, item = self.session.course.find(item_id)
        # The session's progress bar sits under the exercise screens, so each title says where we
        # are.
        position = f"review {self.position + 1} of {len(self.queue)} · {self.mix_text()}"
        try:
            if isinstance(item, HandExercise):
                from tutor.screens.hand_exercise import HandExerciseScreen

                return HandExerciseScreen(
                    self.session,
                    chapter,
                    item,
                    variant=self.session.next_variant(item_id),
                    review=True,
                    review_position=position,
                )
            if isinstance(item, CodeExercise):
                from tutor.screens.code_exercise import CodeExerciseScreen

                return CodeExerciseScreen(
                    self.session, chapter, item, review=True, review_position=position
                )
            from tutor.screens.lab import LabScreen

            assert isinstance(item, Lab), f"{item_id} is a section, not something to review"
            return LabScreen(self.session, chapter, item, review=True, review_position=position)
        except ModuleNotFoundError:
            return None

    def _start_next(self) -> None:
        if self.finished:
            return
        if self.position >= len(self.queue) and not self._requeue_learning():
            self.action_finish()
            return
        entry = self.queue[self.position]
        screen = self.exercise_screen(entry.item_id)
        if screen is None:
            self.notify(f"{entry.item_id} cannot be shown yet; skipped.", severity="warning")
            self.action_skip()
            return
        self._show_status(f"Now: {entry.item_id}" + (" (new)" if entry.new else ""))
        self.app.push_screen(screen, callback=self._item_done)

    def _requeue_learning(self) -> bool:
        """Bring back items whose short (re)learning step has passed during the session."""
        again = self.session.learning_due(set(self.tally.skipped))
        if not again:
            return False
        self.queue.extend(again)
        self.query_one(ProgressBar).update(total=len(self.queue))
        self.query_one("#review-title", Static).update(f"Review session · {self.mix_text()}")
        return True

    def mix_text(self) -> str:
        """What the session holds: "4 due · 10 new" (new items were never seen before)."""
        new = sum(1 for entry in self.queue if entry.new)
        return f"{len(self.queue) - new} due · {new} new"

    def _item_done(self, result: Recorded | Skipped | Paused | None) -> None:
        """An item screen left: skipped, answered (on to the next), or paused (escape) here."""
        if self.finished:
            return
        entry = self.queue[self.position]
        if isinstance(result, Skipped):
            self.action_skip()
            return
        paused = result is None or isinstance(result, Paused)
        recorded = result.recorded if isinstance(result, Paused) else result
        if recorded is None:
            self._show_status(
                f"Paused at {entry.item_id}. Enter: try it again · s: skip it · escape: end "
                "the session."
            )
            return
        self.tally.done.append((entry.item_id, recorded))
        self.position += 1
        self._update_progress()
        if recorded.leech:
            self.notify(
                f"{entry.item_id} keeps slipping: study its worked solution; each review "
                "brings a fresh variant.",
                severity="warning",
            )
        if paused:
            self._show_status(self._paused_after(entry.item_id, recorded))
        else:
            self._start_next()

    def _paused_after(self, item_id: str, recorded: Recorded) -> str:
        """What the keys do once an answered item was left with escape (the session waits)."""
        after = f"Paused after {item_id} (rated {recorded.rating.label})."
        undo = f"u: take back {item_id}'s rating"
        if self.position < len(self.queue):
            following = self.queue[self.position].item_id
            return (
                f"{after} Enter: go on with {following} · s: skip {following} · {undo} · "
                "escape: end the session."
            )
        return f"{after} Enter: go on · {undo} · escape: end the session."

    def _update_progress(self) -> None:
        self.query_one(ProgressBar).update(progress=len(self.tally.done) + len(self.tally.skipped))
        # Skip and undo depend on the position and the tally: the footer follows them.
        self.refresh_bindings()

    def _show_status(self, message: str) -> None:
        remaining = len(self.queue) - self.position
        done = len(self.tally.done)
        text = Text(
            f"{done} done · {remaining} to go · {self.tally.right} right, {self.tally.wrong} "
            "wrong\n"
        )
        text.append(message)
        self.query_one("#review-status", Static).update(text)

    # -- actions ----------------------------------------------------------------------------

    def action_resume(self) -> None:
        """Continue with the current item (after a pause)."""
        if not self.finished:
            self._start_next()

    def action_skip(self) -> None:
        """Leave the current item unanswered; it stays due."""
        if self.finished or self.position >= len(self.queue):
            return
        self.tally.skipped.append(self.queue[self.position].item_id)
        self.position += 1
        self._update_progress()
        self._start_next()

    def action_undo(self) -> None:
        """Take back the session's last rating and put that item next."""
        if self.finished or not self.tally.done:
            self.notify("Nothing to undo in this session.")
            return
        item_id, recorded = self.tally.done[-1]
        try:
            # Only this session's own showing is undone, whatever other processes logged since.
            self.session.undo(recorded.showing or recorded.uuid)
        except Exception as exc:  # a locked or broken store must not take the session down
            self.notify(f"Nothing undone: {exc}", severity="warning")
            return
        self.tally.done.pop()
        self.position -= 1
        self._update_progress()
        self._show_status(f"Undid {item_id} ({recorded.rating.label}). Enter: answer it again.")

    def not_now(self) -> dict[str, NotNow]:
        """Once the summary shows only escape (back) is left; skip needs an item left to skip
        and undo a rating this session gave."""
        if self.finished:
            ended = NotNow("the session has ended")
            return {"resume": ended, "skip": ended, "undo": ended}
        stopped: dict[str, NotNow] = {}
        if self.position >= len(self.queue):
            stopped["skip"] = NotNow("no item left to skip")
        if not self.tally.done:
            stopped["undo"] = NotNow("nothing rated in this session yet")
        return stopped

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """What the session's state stops (`not_now`) is not offered."""
        return self.state_allows(action)

    def action_finish(self) -> None:
        """End the session (escape again leaves the summary)."""
        if self.finished:
            self.dismiss(None)
            return
        self.finished = True
        summary = self.query_one("#review-summary", Static)
        summary.update(self.summary_text())
        summary.display = True
        self.query_one(ProgressBar).display = bool(self.queue)
        self.query_one("#review-status", Static).update("Escape: back.")

    def summary_text(self) -> Text:
        """Right, wrong, skipped, time, and when the next review is due."""
        if not self.queue:
            text = Text("Nothing is due now, and no new exercises are left for today.\n")
        else:
            text = Text("Session summary\n", style="bold")
            minutes, seconds = divmod(round(time.monotonic() - self.tally.started), 60)
            text.append(
                f"Right: {self.tally.right}   Wrong: {self.tally.wrong}   "
                f"Skipped: {len(self.tally.skipped)}\n"
            )
            text.append(f"Time: {minutes} min {seconds:02d} s\n")
        due_now = self.session.due_count()
        next_review = self.session.next_review_text()
        if due_now:
            text.append("Still due now: ", style="bold")
            text.append(f"{due_now} item(s)\n")
        elif next_review is not None:
            text.append(f"Next review {next_review}\n")
        for item_id, recorded in self.tally.done:
            if recorded.leech:
                text.append(
                    f"Leech: {item_id} lapsed 8+ times; study its worked solution, then a "
                    "fresh variant.\n",
                    style="bold",
                )
        text.rstrip()
        return text
