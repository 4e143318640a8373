"""The session: settings, course, progress and kernels behind one typed object given to screens.

Screens and widgets never open the progress store, SQLite or a kernel themselves; they ask the
session. Everything heavy (the store, fsrs, the kernel package) is imported on first use, so
building a session costs nothing before the first screen is painted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.course.loader import Course
from tutor.settings import Settings

if TYPE_CHECKING:
    from checkers.kernel import Kernel
    from progress.log import Undone
    from progress.rating import Rating
    from progress.stats import Stats
    from progress.store import QueueItem as QueueItem
    from progress.store import Store
    from tutor.course.exercise_schema import CodeExercise, Lab
    from tutor.course.loader import Chapter
    from tutor.practice.code import CodeResult
    from tutor.practice.lab import Measurement
    from tutor.practice.outcome import Attempt, Recorded


@dataclass(frozen=True)
class Marks:
    """What progress says about the outline; empty (`known` False) until the store is open."""

    read: frozenset[str] = frozenset()
    """Sections the learner has opened."""
    recall: dict[str, float] = field(default_factory=dict)
    """Item ID → probability of recall now, for every item ever reviewed."""
    due: frozenset[str] = frozenset()
    """Items due for review now."""
    learning: frozenset[str] = frozenset()
    """Items tried but still in (re)learning steps and not due yet: not "learned"."""
    known: bool = False
    """Whether the store was open: without it no state, mastery or due count is shown."""
    suspended: frozenset[str] = frozenset()
    """Items out of the reviews, so never due: those the learner suspended, and labs tried but not
    added to the reviews (an untried lab is simply new)."""

    def mastery(self, item_ids: list[str]) -> float | None:
        """Mean recall over `item_ids`, never-tried items counting 0; None when unknown or empty."""
        if not self.known or not item_ids:
            return None
        return sum(self.recall.get(item_id, 0.0) for item_id in item_ids) / len(item_ids)


class Session:
    """One learner's run of the tutor: what every screen reaches beyond its own widgets."""

    def __init__(
        self,
        settings: Settings,
        course: Course | None = None,
        navigate: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        """The learner's settings (data dir, limits, theme, keys)."""
        self.course = course if course is not None else Course(Path("."), [])
        """The loaded course; empty until the app has loaded it."""
        self._navigate = navigate
        self.reading_places: dict[str, tuple[int, float]] = {}
        """Section ID → where the learner stopped in it (first block on screen, lines into it)."""
        self._store: Store | None = None
        self._warm_lock = threading.Lock()
        self._closing = False
        self._warmed = False

    # -- lifetime -----------------------------------------------------------------------------

    @property
    def progress_open(self) -> bool:
        """Whether the progress store has been opened (the app opens it after first paint)."""
        return self._store is not None

    def open_progress(self) -> None:
        """Open the progress store now; raises `progress.store.StoreError` saying why it cannot."""
        from tutor.recording import open_store

        self._store = open_store(self.settings)

    def _progress(self) -> Store:
        """The progress store, opened on first use (screens shown without the app's start-up)."""
        if self._store is None:
            self.open_progress()
        assert self._store is not None
        return self._store

    def close(self) -> None:
        """Stop the practice workers this session started and close the progress store."""
        self.stop_practice()
        if self._store is not None:
            from tutor.recording import close_stores

            close_stores()
            self._store = None

    def now(self) -> datetime:
        """The current time in UTC, or `TUTOR_NOW` when set (tests, demos, replay)."""
        from progress.clock import now

        return now()

    def open_item(self, item_id: str) -> None:
        """Show the section, exercise or lab `item_id` (at once: keys typed next land there)."""
        if self._navigate is not None:
            self._navigate(item_id)

    # -- recording ------------------------------------------------------------------------------

    def record(self, attempt: Attempt) -> Recorded:
        """Log a graded attempt (committed on return), rate it and reschedule the item."""
        from tutor.recording import record_attempt

        self._progress()  # opened first, so a broken file raises here with its own message
        return record_attempt(self.settings, attempt)

    def override(self, attempt_uuid: str, rating: Rating) -> Recorded:
        """Replace the rating of a logged attempt; the log keeps both."""
        from tutor.recording import override_rating

        self._progress()
        return override_rating(self.settings, attempt_uuid, rating)

    def new_showing(self) -> str:
        """A UUID for a showing: the presentation of an item a screen has just opened. Every
        attempt made in it carries this UUID, and they fold into one rating."""
        from tutor.recording import new_showing

        return new_showing()

    def undo(self, uuid: str) -> Undone:
        """Cancel this session's own attempt, or every attempt of its showing, by UUID (never
        another process's latest); StoreError when it is not in force."""
        from tutor.recording import undo

        self._progress()
        return undo(self.settings, uuid)

    def left_out(self) -> set[str]:
        """Items kept out of the reviews: labs the learner has not added (suspended ones the
        store leaves out itself)."""
        from tutor.recording import left_out_of_reviews

        return left_out_of_reviews(self.course, self._progress())

    # -- the review queue ---------------------------------------------------------------------

    def review_queue(self) -> list[QueueItem]:
        """Today's review session: due items by lowest recall first, new ones mixed in."""
        from tutor.recording import course_items

        return self._progress().review_queue(
            course_items(self.course),
            self.settings.new_per_day,
            self.settings.reviews_per_day,
            self.now(),
            leave_out=self.left_out(),
        )

    def learning_due(self, leave_out: set[str]) -> list[QueueItem]:
        """Items whose short (re)learning step has passed since the queue was built."""
        from progress.store import QueueItem

        return [
            QueueItem(item.item_id, False, item.retrievability)
            for item in self._progress().due(self.now(), self.left_out())
            if item.state != "review" and item.item_id not in leave_out
        ]

    def next_variant(self, item_id: str) -> int:
        """The variant of `item_id` to show next (one the learner has not seen, if any is left)."""
        return self._progress().next_variant(item_id)

    def due_count(self) -> int | None:
        """How many reviews are due now, or None before the store is open."""
        if self._store is None:
            return None
        return int(self._store.due_count(self.now(), self.left_out()))

    def next_review_text(self) -> str | None:
        """When the next review falls due, in words ("in 20 minutes", "tomorrow (Tue 3 Mar)");
        None if nothing is scheduled."""
        from progress import clock
        from tutor.recording import due_text

        moment = self.now()
        due_times = self._progress().due_times(self.left_out())
        upcoming = [due for due in due_times if due > clock.to_us(moment)]
        if not upcoming:
            return None
        return due_text(moment, clock.from_us(upcoming[0]), self.settings.day_starts_hour)

    # -- the outline ----------------------------------------------------------------------------

    def mark_read(self, section_id: str) -> None:
        """Record that the learner opened a section (nothing before the store is open); ValueError
        when the clock cannot be used."""
        if self._store is not None:
            self._store.mark_section_read(section_id, self.now())

    def sections_read(self) -> set[str]:
        """IDs of the sections the learner has opened."""
        return set(self._store.sections_read()) if self._store is not None else set()

    def marks(self) -> Marks:
        """Read sections, recall, due, learning and suspended items for the outline (empty before
        the store, which opens after the first frame)."""
        store = self._store
        if store is None:
            return Marks()
        from fsrs import State

        moment = self.now()
        left_out = self.left_out()
        due = frozenset(item.item_id for item in store.due(moment, left_out))
        recall = store.retrievabilities(moment)
        suspended = frozenset(store.suspended() | (left_out & recall.keys()))
        learning = frozenset(
            item_id
            for item_id in recall
            if item_id not in due
            and (card := store.card(item_id)) is not None
            and card.state != State.Review
        )
        return Marks(frozenset(store.sections_read()), recall, due, learning, True, suspended)

    # -- drafts ---------------------------------------------------------------------------------

    def load_draft(self, item_id: str) -> str | None:
        """The learner's last saved code for `item_id`, if any."""
        return self._progress().load_draft(item_id)

    def save_draft(self, item_id: str, text: str) -> None:
        """Keep the editor's text for `item_id` (committed on return)."""
        self._progress().save_draft(item_id, text)

    # -- stats ----------------------------------------------------------------------------------

    def stats(self) -> Stats:
        """Replay the whole log (read only) into the stats screen's figures."""
        from progress.stats import compute_stats
        from tutor.recording import section_items

        return compute_stats(
            self._progress(), section_items(self.course), self.now(), leave_out=self.left_out()
        )

    def optimize(self) -> str | None:
        """Fit the FSRS parameters to this learner's log; None when done, else why it could not."""
        from progress.optimize import OptimizeError, optimize

        try:
            optimize(self._progress())
        except OptimizeError as exc:
            return str(exc)
        return None

    # -- practice: kernels and grading ----------------------------------------------------------

    def new_kernel(self, *, torch: bool = False) -> Kernel:
        """A REPL kernel with the learner's limits (started by whoever uses it)."""
        from checkers.kernel import Kernel
        from tutor.practice.code import kernel_config

        return Kernel(kernel_config(self.settings, torch=torch, standby=False))

    def grade_code(self, chapter: Chapter, item: CodeExercise | Lab, path: Path) -> CodeResult:
        """Grade the learner's file at `path` in a fresh kernel; `CannotGrade` says why not."""
        from tutor.practice.code import grade_file

        return grade_file(chapter, item, path, self.settings)

    def lab_measurement(self, chapter: Chapter, lab: Lab) -> Measurement:
        """A run of the lab's measurements on the learner's file, in its own fresh kernel."""
        from tutor.practice.lab import Measurement

        return Measurement(chapter, lab, self.settings)

    def warm_lab(self, lab: Lab) -> None:
        """Start the kernels a check and a measurement of `lab` will take (in the background), so
        neither waits for a kernel (with torch, ~1.5 s) to start."""
        from tutor.practice.lab import prewarm

        prewarm(self.settings, lab)

    def warm_practice(self) -> None:
        """Start the checker worker and a spare code kernel (processes only: no sympy, no numpy).

        The lock makes a start racing `stop_practice` either finish before it or not start."""
        with self._warm_lock:
            if self._closing:
                return
            from checkers.kernel import prewarm
            from tutor.practice.code import kernel_config
            from tutor.practice.hand import warm_checker

            self._warmed = True
            warm_checker()
            prewarm(kernel_config(self.settings))

    def stop_practice(self) -> None:
        """Stop the checker worker and any spare kernel when this session warmed them.

        Sessions that never warmed (headless test runs) leave the process-wide workers to the next
        session in the process and to the exit handlers."""
        import sys

        with self._warm_lock:
            self._closing = True
            if not self._warmed:
                return
        hand = sys.modules.get("tutor.practice.hand")
        if hand is not None:
            hand.checker_pool().close()
        kernel = sys.modules.get("checkers.kernel")
        if kernel is not None:
            kernel.discard_standbys()
