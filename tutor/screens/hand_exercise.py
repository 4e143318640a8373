"""A pen-and-paper exercise: statement, one answer box per part, hints, checking, rating, solution."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, Static, TextArea

from tutor.course.exercise_schema import HandExercise
from tutor.course.loader import Chapter
from progress.rating import Rating
from tutor.practice.hand import (
    HandInstance,
    HandResult,
    check_with_pool,
    grade,
    make_instance,
    warm_checker,
)
from tutor.practice.outcome import Attempt, Recorded
from tutor.screens.base import TutorScreen
from tutor.session import Session
from tutor.widgets.answer_input import AnswerInput
from tutor.widgets.vector_grid import DrawingInput


class HandExerciseScreen(TutorScreen["Recorded | None"]):
    """Solve one variant of a hand exercise; dismisses with the last recorded attempt (or None)."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Check", id="hand-check", tooltip="Check every part"),
        Binding("h", "hint", "Hint", id="hand-hint", tooltip="Show the next hint"),
        # While typing, h is a letter: ctrl+t (as on the code screens) reaches the hints from the box.
        Binding("ctrl+t", "hint_from_box", "Hint", id="hand-hint-box", tooltip="Show the next hint"),
        Binding("g", "give_up", "Give up", id="hand-give-up", tooltip="Show the worked solution"),
        Binding("n", "next", "Next", id="hand-next", tooltip="Go to the next exercise"),
        Binding("escape", "back", "Back", id="hand-back", tooltip="Leave the answer box, then the exercise"),
        Binding("1", "rate(1)", "Again", id="hand-rate-1", show=False),
        Binding("2", "rate(2)", "Hard", id="hand-rate-2", show=False),
        Binding("3", "rate(3)", "Good", id="hand-rate-3", show=False),
        Binding("4", "rate(4)", "Easy", id="hand-rate-4", show=False),
    ]
    DEFAULT_CSS = """
    HandExerciseScreen #hand-title { padding: 0 1; background: $boost; text-style: bold; }
    HandExerciseScreen #hand-body { padding: 0 1; }
    HandExerciseScreen #hand-statement { margin: 0 0 1 0; }
    HandExerciseScreen #hand-status { margin: 1 0 0 0; height: auto; }
    HandExerciseScreen #hand-hints { height: auto; color: $warning; }
    HandExerciseScreen #hand-solution { height: auto; border: round $primary; padding: 0 1; }
    """

    class Checked(Message):
        """A worker finished grading (and recording) a submission."""

        def __init__(self, result: HandResult, recorded: Recorded | None, error: str = "") -> None:
            super().__init__()
            self.result = result
            self.recorded = recorded
            self.error = error

    def __init__(self, session: Session, chapter: Chapter, exercise: HandExercise, variant: int = 0,
                 review: bool = False, review_position: str = "") -> None:
        super().__init__(session)
        self.review_position = review_position
        """Where a review session stands (e.g. "review 2 of 5"), shown in the title."""
        self.chapter = chapter
        self.exercise = exercise
        self.variant = variant
        self.review = review
        self.instance: HandInstance = make_instance(chapter, exercise, variant)
        self.hints_shown = 0
        self.attempts = 0
        self.checking = False
        self.solved = False
        self.gave_up = False
        self.recorded: Recorded | None = None
        self.started = time.monotonic()
        self.showing = session.new_showing()
        """This presentation of the exercise: its attempts, hints and time fold into one rating."""
        self._status_lines: list[str] = []

    def compose(self) -> ComposeResult:
        suffix = f" · variant {self.variant}" if self.variant else ""
        suffix += f"  ·  {self.review_position}" if self.review_position else ""
        yield Static(f"{self.instance.id}  {self.instance.title}{suffix}", id="hand-title")
        with VerticalScroll(id="hand-body"):
            yield Static(Text(self.instance.prompt), id="hand-statement")
            for part in self.instance.parts:
                if part.test == "drawing":
                    yield DrawingInput(part.name, part.prompt, list(part.options.get("vectors", "ab")))
                    continue
                # The numeric policy stands in each number box until the learner types.
                yield AnswerInput(part.name, part.prompt, proof=_proof_letters(part.test, part.options),
                                  placeholder=part.policy or "your answer",
                                  maths=part.test != "choice")
            yield Static("", id="hand-status")
            yield Static("", id="hand-hints")
            yield Static("", id="hand-solution")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#hand-solution", Static).display = False
        self.query(AnswerInput).first().focus_box()
        # The checker worker (sympy) starts in its own process; lark warms in a thread.
        self.run_worker(_warm, thread=True, exclusive=True, group="hand-warm", exit_on_error=False)

    # -- answering ------------------------------------------------------------------------------

    @on(Input.Submitted)
    def _next_box(self, event: Input.Submitted) -> None:
        boxes = list(self.query(AnswerInput))
        index = next(i for i, box in enumerate(boxes) if box.box is event.input)
        if index + 1 < len(boxes):
            boxes[index + 1].focus_box()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        """Check every part off the UI thread."""
        if self.checking or self.solved:
            return
        boxes = list(self.query(AnswerInput))
        empty = next((box for box in boxes if not box.value.strip()), None)
        if empty is not None:
            self.notify(f"Answer every part first ({empty.part_name}).", severity="warning")
            empty.focus_box()
            return
        self.checking = True
        self._status("Checking…")
        answers = [box.value for box in boxes]
        self.attempts += 1
        attempt_number, hints = self.attempts, self.hints_shown
        duration = time.monotonic() - self.started
        self.run_worker(lambda: self._grade(answers, attempt_number, hints, duration), thread=True,
                        exclusive=True, group="hand-check", exit_on_error=False)

    def _grade(self, answers: list[str], attempt_number: int, hints: int, duration: float) -> None:
        """Worker thread: grade in the checker process, record, then post the outcome."""
        try:
            result = grade(self.instance, answers, runner=check_with_pool)
        except Exception as exc:  # the checker must never take the screen down
            self.post_message(self.Checked(HandResult(False, [], ""), None, f"Could not check: {exc}"))
            return
        recorded = None
        error = ""
        if not result.unreadable:
            try:
                recorded = self._record(result.correct, attempt_number, hints, duration, gave_up=False)
            except Exception as exc:  # a locked or broken store must not hide the verdict
                error = f"Not saved: {exc}"
        self.post_message(self.Checked(result, recorded, error))

    def _record(self, correct: bool, attempt_number: int, hints: int, duration: float, *,
                gave_up: bool) -> Recorded:
        attempt = Attempt(
            item_id=self.instance.id,
            variant=self.variant,
            correct=correct,
            duration_s=duration,
            par_seconds=self.instance.par_seconds,
            hints_used=hints,
            attempts=attempt_number,
            gave_up=gave_up,
            showing=self.showing,
        )
        return self.session.record(attempt)

    @on(Checked)
    def _show_verdict(self, message: Checked) -> None:
        self.checking = False
        if message.error and not message.result.parts:
            self._status(message.error)
            return
        for part in message.result.parts:
            box = self.query_one(f"#part-{part.name}", AnswerInput)
            box.show_feedback(part.correct, part.feedback)
        if message.recorded is not None:
            self.recorded = message.recorded
        if message.result.correct:
            # Out of the answer box, so n and 1–4 act instead of typing into it.
            self._leave_box()
        lines = [message.result.feedback]
        if message.recorded is not None:
            lines.append(self._rating_line(message.recorded))
        if message.error:
            lines.append(message.error)
        if message.result.correct:
            self.solved = True
            lines.append("n: next exercise · escape: back")
            self._show_solution()
        self._status_lines = lines
        self._status("\n".join(lines))
        if not message.result.correct:
            self.query_one("#hand-status", Static).scroll_visible(animate=False)

    def _rating_line(self, recorded: Recorded) -> str:
        keys = "escape, then 1–4" if isinstance(self.focused, (Input, TextArea)) else "keys 1–4"
        line = f"Rated {recorded.rating.label} · {recorded.schedule_text} · change it: {keys}"
        if recorded.leech:
            line += ("\nLeech: this one keeps slipping. Study the worked solution (g); the next "
                     "review brings a fresh variant.")
        return line

    # -- help -----------------------------------------------------------------------------------

    def action_hint(self) -> None:
        """Show the next hint."""
        hints = self.instance.hints
        if self.hints_shown >= len(hints):
            self.notify("No more hints; g shows the worked solution.")
            return
        self.hints_shown += 1
        shown = "\n".join(f"Hint {i + 1}: {hint}" for i, hint in enumerate(hints[: self.hints_shown]))
        self.query_one("#hand-hints", Static).update(Text(shown))

    def action_give_up(self) -> None:
        """Show the worked solution; counts as a wrong attempt if nothing was solved yet."""
        if self.solved or self.gave_up:
            self._show_solution()
            return
        self.gave_up = True
        self._show_solution()
        duration = time.monotonic() - self.started
        attempt_number, hints = self.attempts + 1, self.hints_shown
        self.run_worker(lambda: self._record_give_up(attempt_number, hints, duration), thread=True,
                        group="hand-record", exit_on_error=False)

    def _record_give_up(self, attempt_number: int, hints: int, duration: float) -> None:
        try:
            recorded = self._record(False, attempt_number, hints, duration, gave_up=True)
        except Exception as exc:
            self.post_message(self.Checked(HandResult(False, [], "Gave up."), None, f"Not saved: {exc}"))
            return
        self.post_message(self.Checked(HandResult(False, [], "Gave up: here is the worked solution."), recorded))

    def _show_solution(self) -> None:
        solution = self.query_one("#hand-solution", Static)
        solution.update(Text("Worked solution\n", style="bold") + Text(self.instance.solution))
        solution.display = True
        solution.scroll_visible()

    def action_rate(self, rating: int) -> None:
        """Override the rating of the last recorded attempt."""
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
        self._status("\n".join(self._status_lines))

    # -- leaving --------------------------------------------------------------------------------

    def action_next(self) -> None:
        """Leave for the next hand exercise of the chapter (in a review, back to the session)."""
        self.dismiss(self.recorded)
        if self.review:
            return
        following = self._following_id()
        if following is not None:
            self.session.open_item(following)

    def _following_id(self) -> str | None:
        ids = [item.id for item in self.chapter.exercises if isinstance(item, HandExercise)]
        index = ids.index(self.exercise.id) if self.exercise.id in ids else -1
        return ids[index + 1] if 0 <= index < len(ids) - 1 else None

    def action_back(self) -> None:
        """Escape leaves the answer box first (so letter keys work), then the exercise."""
        if isinstance(self.focused, (Input, TextArea)):
            self._leave_box()
            return
        self.dismiss(self.recorded)

    def _leave_box(self) -> None:
        """Focus the page itself: letter keys act, arrows scroll, tab goes back to the first box."""
        self.set_focus(self.query_one("#hand-body", VerticalScroll), scroll_visible=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Letter and digit keys act only when no answer box has focus."""
        typing = isinstance(self.focused, (Input, TextArea))
        if action in ("hint", "give_up", "next", "rate") and typing:
            return None
        if action == "hint_from_box":
            return typing
        return True

    def action_hint_from_box(self) -> None:
        """ctrl+t: the next hint without leaving the answer box."""
        self.action_hint()

    def _status(self, text: str) -> None:
        self.query_one("#hand-status", Static).update(Text(text))


def _proof_letters(test: str, options: dict[str, Any]) -> dict[str, str] | None:
    if test != "proof_chain":
        return None
    matrices = options.get("matrices", {})
    entries = "".join(cell for rows in matrices.values() for row in rows for cell in row)
    return {"entries": entries, "matrices": "".join(matrices), "start": str(options.get("start", "")),
            "target": str(options.get("target", ""))}


def _warm() -> None:
    warm_checker()
    from checkers.syntax import read_as

    read_as("1")
