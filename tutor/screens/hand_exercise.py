"""A pen-and-paper exercise: statement, one answer box per part, hints, checking, rating,
solution."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static, TextArea

from tutor.course.exercise_schema import HandExercise
from tutor.course.loader import Chapter
from tutor.practice.hand import (
    HandInstance,
    HandResult,
    check_with_pool,
    grade,
    make_instance,
    warm_checker,
)
from tutor.screens.base import NotNow
from tutor.screens.hand_answers import HandAnswersScreen
from tutor.screens.item import rating_bindings
from tutor.session import Session
from tutor.widgets.answer_input import AnswerInput
from tutor.widgets.vector_grid import DrawingInput


class HandExerciseScreen(HandAnswersScreen):
    """Solve one variant of a hand exercise; dismisses with the last recorded attempt (or None)."""

    BINDINGS = [
        # Priority: acted on before the next key of a burst is handed to a box, so focus has
        # already moved when it arrives (typing `3⏎acos(…)⏎` fast fills two boxes, not one).
        Binding("enter", "enter", "Next", id="hand-enter", priority=True, show=False),
        Binding("tab", "cycle_box(1)", "Next box", id="hand-tab", priority=True, show=False),
        Binding(
            "shift+tab",
            "cycle_box(-1)",
            "Previous box",
            id="hand-shift-tab",
            priority=True,
            show=False,
        ),
        # While a box has the cursor every printable key is text: commands are ctrl keys.
        Binding("ctrl+s", "submit", "Check", id="hand-check", tooltip="Check every part"),
        Binding(
            "ctrl+t", "hint_from_box", "Hint", id="hand-hint-box", tooltip="Show the next hint"
        ),
        Binding(
            "ctrl+g",
            "give_up_from_box",
            "Solution",
            id="hand-give-up-box",
            tooltip="Give up and show the worked solution",
        ),
        Binding(
            "escape",
            "leave_box",
            "Commands",
            id="hand-leave-box",
            tooltip="Leave the answer box: plain letters then act as commands",
        ),
        # Plain keys act only when no box has the cursor; the footer lists them then.
        Binding("h", "hint", "Hint", id="hand-hint", tooltip="Show the next hint"),
        Binding("g", "give_up", "Give up", id="hand-give-up", tooltip="Show the worked solution"),
        Binding("n", "next", "Next", id="hand-next", tooltip="Go to the next exercise"),
        Binding(
            "s", "skip", "Skip", id="hand-skip", tooltip="Review: leave this item for another time"
        ),
        Binding("u", "undo", "Undo", id="hand-undo", tooltip="Take back this answer's rating"),
        Binding(
            "escape",
            "back",
            "Back",
            id="hand-back",
            tooltip="Leave the exercise (what you typed comes back when you return)",
        ),
        Binding(
            "escape",
            "pause",
            "Pause",
            id="hand-pause",
            tooltip="Review: pause the session here (enter there goes on)",
        ),
        *rating_bindings("hand"),
    ]
    PLAIN_KEYS = frozenset(
        {"hint", "give_up", "next", "skip", "undo", "back", "pause", "rate_prompt", "rate"}
    )
    """Actions bound to printable keys: never while an answer box has the cursor."""
    TYPING_KEYS = frozenset({"leave_box", "hint_from_box", "give_up_from_box"})
    """Actions offered only while a box has the cursor."""
    STATUS_ID = "hand-status"
    LEECH_TEXT = (
        "Leech: this one keeps slipping. Study the worked solution (g); the next "
        "review brings a fresh variant."
    )
    REVIEW_ONLY = ("skip", "pause")
    DEFAULT_CSS = """
    HandExerciseScreen #hand-head { height: auto; background: $boost; }
    HandExerciseScreen #hand-title { padding: 0 1; width: auto; text-style: bold; }
    HandExerciseScreen #hand-verdicts { padding: 0 1; width: 1fr; }
    HandExerciseScreen #hand-mode { padding: 0 1; color: $text-accent; height: auto; }
    HandExerciseScreen #hand-body { padding: 0 1; }
    HandExerciseScreen #hand-statement { margin: 0 0 1 0; }
    HandExerciseScreen #hand-status { margin: 1 0 0 0; height: auto; }
    HandExerciseScreen #hand-hints { height: auto; color: $warning; }
    HandExerciseScreen #hand-solution { height: auto; border: round $primary; padding: 0 1; }
    """

    class Checked(HandAnswersScreen.Checked[HandResult]):
        """A worker finished grading (and recording) a submission."""

    def __init__(
        self,
        session: Session,
        chapter: Chapter,
        exercise: HandExercise,
        variant: int = 0,
        review: bool = False,
        review_position: str = "",
    ) -> None:
        super().__init__(session, review, review_position)
        self.chapter = chapter
        self.exercise = exercise
        self.variant = variant
        self.instance: HandInstance = make_instance(chapter, exercise, variant)

    @property
    def draft_key(self) -> str:
        """Where this exercise's unchecked answers are kept: one draft per exercise and variant."""
        return f"{self.instance.id}#hand-v{self.variant}"

    def compose(self) -> ComposeResult:
        suffix = f" · variant {self.variant}" if self.variant else ""
        suffix += f"  ·  {self.review_position}" if self.review_position else ""
        with Horizontal(id="hand-head"):
            yield Static(f"{self.instance.id}  {self.instance.title}{suffix}", id="hand-title")
            # One ✓/✗ per part beside the title: the verdict without scrolling, at no row's cost.
            yield Static("", id="hand-verdicts")
        with VerticalScroll(id="hand-body"):
            yield Static(Text(self.instance.prompt), id="hand-statement")
            for part in self.instance.parts:
                if part.test == "drawing":
                    yield DrawingInput(
                        part.name, part.prompt, list(part.options.get("vectors", "ab"))
                    )
                    continue
                # The numeric policy stands in each number box until the learner types.
                yield AnswerInput(
                    part.name,
                    part.prompt,
                    proof=_proof_letters(part.test, part.options),
                    placeholder=part.policy or "your answer",
                    maths=part.test != "choice",
                )
            yield Static("", id="hand-status")
            yield Static("", id="hand-hints")
            yield Static("", id="hand-solution")
        yield Static("", id="hand-mode")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#hand-solution", Static).display = False
        self.query_one("#hand-verdicts", Static).display = False
        self._restore_answers()
        self._saved_answers = [box.value for box in self.boxes]
        boxes = self.boxes
        empty = next((box for box in boxes if not box.value.strip()), boxes[0])
        empty.focus_box()
        self._show_mode()
        # The checker worker (sympy) starts in its own process; lark warms in a thread.
        self.run_worker(_warm, thread=True, exclusive=True, group="hand-warm", exit_on_error=False)

    # -- answering ------------------------------------------------------------------------------

    def action_enter(self) -> None:
        """Enter: the next part, or check from the last; a proof box takes it as a new line. With
        no part focused it continues (next exercise, or on in a review) or returns to the boxes."""
        focused = self.focused
        part = self._part_of(focused)
        if isinstance(focused, TextArea):
            raise SkipAction()
        if part is not None and focused is not None:
            boxes = self.boxes
            index = boxes.index(part)
            if index + 1 < len(boxes):
                boxes[index + 1].focus_box()
            else:
                # After the keys already queued for this box: a burst's last answer is in it then.
                focused.call_later(self.action_submit)
            return
        if self.closed:
            self.action_next()
        elif not self.checking:
            self._back_to_boxes()

    def action_cycle_box(self, step: int) -> None:
        """Tab and shift+tab go round the answer parts only, so typing never leaves them."""
        stops = self._stops()
        if self.closed or not stops:
            raise SkipAction()
        index = stops.index(self.focused) if self.focused in stops else (-1 if step > 0 else 0)
        self.set_focus(stops[(index + step) % len(stops)])
        self._show_mode()

    def action_submit(self) -> None:
        """Check every part off the UI thread."""
        if self.checking or self.closed:
            return
        boxes = self.boxes
        empty = next((box for box in boxes if not box.value.strip()), None)
        if empty is not None:
            self.notify(f"Answer every part first ({empty.part_name}).", severity="warning")
            empty.focus_box()
            self._show_mode()
            return
        self.save_typed()
        self.checking = True
        self._status("Checking…")
        answers = [box.value for box in boxes]
        self.attempts += 1
        attempt_number, hints = self.attempts, self.hints_shown
        duration = time.monotonic() - self.started
        self.run_worker(
            lambda: self._grade(answers, attempt_number, hints, duration),
            thread=True,
            exclusive=True,
            group="hand-check",
            exit_on_error=False,
        )

    def _grade(self, answers: list[str], attempt_number: int, hints: int, duration: float) -> None:
        """Worker thread: grade in the checker process, record, then post the outcome."""
        try:
            result = grade(self.instance, answers, runner=check_with_pool)
        except Exception as exc:  # the checker must never take the screen down
            self.post_message(
                self.Checked(HandResult(False, [], ""), None, f"Could not check: {exc}")
            )
            return
        recorded = None
        error = ""
        if not result.unreadable:
            try:
                recorded = self._record(
                    result.correct, attempt_number, hints, duration, gave_up=False
                )
            except Exception as exc:  # a locked or broken store must not hide the verdict
                error = f"Not saved: {exc}"
        self.post_message(self.Checked(result, recorded, error))

    def shown(self) -> tuple[str, int, int]:
        """This exercise's variant."""
        return self.instance.id, self.variant, self.instance.par_seconds

    @on(Checked)
    def _show_verdict(self, message: Checked) -> None:
        self._apply_verdict(message)
        # A give-up's result comes as a verdict too: what waited for it goes on now.
        self.give_up_saved()

    def _apply_verdict(self, message: Checked) -> None:
        self.checking = False
        if message.error and not message.result.parts:
            self._status(message.error)
            self._scroll_into_view("#hand-status")
            return
        for part in message.result.parts:
            box = self.query_one(f"#part-{part.name}", AnswerInput)
            box.show_feedback(part.correct, part.feedback)
        self._show_part_marks(message.result)
        if message.recorded is not None:
            self.recorded = message.recorded
        if message.result.correct:
            self.solved = True
        lines = [message.result.feedback]
        if message.recorded is not None:
            lines.append(self._rating_line(message.recorded))
        if message.error:
            lines.append(message.error)
        if message.result.correct:
            self._close_boxes()
            self._show_solution()
        if self.closed:
            lines.append(self._closed_keys())
        self._status_lines = lines
        self._status("\n".join(lines))
        if not message.result.correct:
            wrong = next((part.name for part in message.result.parts if not part.correct), None)
            self._scroll_into_view(f"#part-{wrong} .answer-feedback" if wrong else "#hand-status")
        self._show_mode()

    def _show_part_marks(self, result: HandResult) -> None:
        """One ✓/✗ per part under the title, so the verdict is seen without scrolling."""
        marks = self.query_one("#hand-verdicts", Static)
        if not result.parts:
            marks.display = False
            return
        # Theme variables, resolved when painted: the marks take each theme's colours.
        marks.update(
            Content("   ").join(
                Content.assemble(
                    ("✓ ", "bold $text-success") if part.correct else ("✗ ", "bold $text-error"),
                    part.name,
                )
                for part in result.parts
            )
        )
        marks.display = True

    def _scroll_into_view(self, selector: str) -> None:
        """Bring new feedback or a hint on screen (after layout, when its size is known)."""
        widget = self.query_one(selector)
        self.call_after_refresh(widget.scroll_visible, animate=False)

    def keys_are_text(self) -> bool:
        """An open answer box with the cursor takes printable keys as text."""
        return not self.closed and self.typing()

    def _closed_keys(self) -> str:
        if self.review:
            return "enter: continue the review · u: take back the rating · escape: pause"
        return "enter or n: next exercise · u: take back the rating · escape: back"

    def _close_boxes(self) -> None:
        """No box takes text any more: focus the page, where plain keys act (the footer says)."""
        self._forget_answers()
        self._leave_box()
        for box in self.boxes:
            box.disabled = True

    # -- help -----------------------------------------------------------------------------------

    def action_hint(self) -> None:
        """Show the next hint."""
        hints = self.instance.hints
        if self.hints_shown >= len(hints):
            self.notify("No more hints; ctrl+g shows the worked solution.")
            return
        self.hints_shown += 1
        shown = "\n".join(
            f"Hint {i + 1}: {hint}" for i, hint in enumerate(hints[: self.hints_shown])
        )
        self.query_one("#hand-hints", Static).update(Text(shown))
        self._scroll_into_view("#hand-hints")

    def action_hint_from_box(self) -> None:
        """ctrl+t: the next hint without leaving the answer box."""
        self.action_hint()

    def action_give_up_from_box(self) -> None:
        """ctrl+g: give up from the answer box."""
        self.action_give_up()

    def action_give_up(self) -> None:
        """Show the worked solution; counts as a wrong attempt if nothing was solved yet."""
        if self.closed:
            self._show_solution()
            return
        self.gave_up = True
        self.give_up_saving()
        self._close_boxes()
        self._show_solution()
        self._show_mode()
        duration = time.monotonic() - self.started
        attempt_number, hints = self.attempts + 1, self.hints_shown
        self.run_worker(
            lambda: self._record_give_up(attempt_number, hints, duration),
            thread=True,
            group="hand-record",
            exit_on_error=False,
        )

    def _record_give_up(self, attempt_number: int, hints: int, duration: float) -> None:
        try:
            recorded = self._record(False, attempt_number, hints, duration, gave_up=True)
        except Exception as exc:
            self.post_message(
                self.Checked(HandResult(False, [], "Gave up."), None, f"Not saved: {exc}")
            )
            return
        self.post_message(
            self.Checked(HandResult(False, [], "Gave up: here is the worked solution."), recorded)
        )

    def _show_solution(self) -> None:
        solution = self.query_one("#hand-solution", Static)
        solution.update(Text("Worked solution\n", style="bold") + Text(self.instance.solution))
        solution.display = True
        self._scroll_into_view("#hand-solution")

    def reopen(self) -> None:
        """After an undo: the boxes take text again, with the cursor in the first empty one."""
        for box in self.boxes:
            box.disabled = False
        self._status_lines = ["Rating taken back: answer again."]
        self._status(self._status_lines[0])
        self._back_to_boxes()

    # -- leaving --------------------------------------------------------------------------------

    def action_next(self) -> None:
        """Leave for the next hand exercise of the chapter (in a review, back to the session)."""
        if self.after_give_up_saved(self.action_next):
            return
        self.leave()
        if self.review:
            return
        following = self._following_id()
        if following is not None:
            self.session.open_item(following)

    def action_skip(self) -> None:
        """Review: leave this item unanswered; it stays due."""
        self.leave_skipped()

    def _following_id(self) -> str | None:
        ids = [item.id for item in self.chapter.exercises if isinstance(item, HandExercise)]
        index = ids.index(self.exercise.id) if self.exercise.id in ids else -1
        return ids[index + 1] if 0 <= index < len(ids) - 1 else None

    def action_leave_box(self) -> None:
        """Escape in a box: out of it, so the plain-letter commands in the footer act."""
        self._leave_box()
        self._show_mode()

    def action_back(self) -> None:
        """Escape with no box focused: leave the exercise; unchecked answers are kept."""
        if self.after_give_up_saved(self.action_back):
            return
        self.leave()

    def action_pause(self) -> None:
        """Review, escape with no box focused: back to the session, which waits here (paused)."""
        if self.after_give_up_saved(self.action_pause):
            return
        self.leave_paused()

    def _leave_box(self) -> None:
        """Focus the page itself: letter keys act, arrows scroll, tab goes back to the first box."""
        self.set_focus(self.query_one("#hand-body", VerticalScroll), scroll_visible=False)

    def _back_to_boxes(self) -> None:
        boxes = self.boxes
        next((box for box in boxes if not box.value.strip()), boxes[0]).focus_box()
        self._show_mode()

    def _show_mode(self) -> None:
        """Say under the page whether keys are text or commands (the footer follows the focus)."""
        mode = self.query_one("#hand-mode", Static)
        if self.typing():
            mode.update("")
            mode.display = False
        elif self.closed:
            mode.update(Text("Answer boxes closed · keys are commands (footer)"))
            mode.display = True
        else:
            mode.update(Text("Keys are commands now (footer) · enter or tab: back to the boxes"))
            mode.display = True
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self._show_mode()

    def not_now(self) -> dict[str, NotNow]:
        """What the exercise's state stops: checking once it is closed, hints once all are shown,
        giving up once closed, and both while a check runs."""
        stopped: dict[str, NotNow] = {}
        if self.closed:
            why = "solved" if self.solved else "given up"
            stopped["submit"] = NotNow(f"{why}: the answers are closed")
            stopped["give_up"] = stopped["give_up_from_box"] = NotNow(f"{why} already")
        elif self.checking:
            stopped["submit"] = NotNow("a check is running", soon=True)
            stopped["give_up"] = stopped["give_up_from_box"] = NotNow(
                "a check is running", soon=True
            )
        if self.hints_shown >= len(self.instance.hints):
            hints = "no hints left" if self.instance.hints else "this exercise has no hints"
            stopped["hint"] = stopped["hint_from_box"] = NotNow(hints)
        if not self.review and self._following_id() is None:
            stopped["next"] = NotNow("the last hand exercise of the chapter (escape: back)")
        if self._saving_give_up:
            stopped["skip"] = NotNow("the give-up is being saved", soon=True)
        if self.review:
            stopped["back"] = NotNow("in a review escape pauses the session")
            if self.recorded is not None:
                stopped["skip"] = NotNow("rated already: enter goes on")
            if not self.closed:
                stopped["next"] = NotNow("answer it first (s skips it)")
        # Undo and r before a rating, skip and pause outside a review.
        stopped.update(super().not_now())
        return stopped

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Printable keys are text while a box has the cursor: their commands act only outside;
        what the exercise's state stops (`not_now`) is hidden or disabled."""
        allowed = self.state_allows(action)
        if allowed is not True:
            return allowed
        typing = self.typing()
        if action in self.PLAIN_KEYS and typing:
            return False
        if action in self.TYPING_KEYS:
            return typing
        rating = self.rating_allows(action)
        return True if rating is None else rating


def _proof_letters(test: str, options: dict[str, Any]) -> dict[str, str] | None:
    if test != "proof_chain":
        return None
    matrices = options.get("matrices", {})
    entries = "".join(cell for rows in matrices.values() for row in rows for cell in row)
    return {
        "entries": entries,
        "matrices": "".join(matrices),
        "start": str(options.get("start", "")),
        "target": str(options.get("target", "")),
    }


def _warm() -> None:
    warm_checker()
    from checkers.syntax import read_as

    read_as("1")
