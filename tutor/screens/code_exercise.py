"""A code exercise: statement, Python editor with autosaved drafts, run in the REPL, check, hints.

Grading runs in a thread worker that calls `tutor.practice.code.grade_file` (a fresh sandboxed
kernel; learner code never runs in this process) and records the attempt; the worker only posts
messages. The showing itself (rating, undo, leaving) is `tutor.screens.item`'s, the editor's draft
`tutor.screens.code_drafts`'s. `LabScreen` reuses everything here and adds steps and measurements.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Footer, Static, TextArea

from tutor.course.exercise_schema import CodeExercise, Lab
from tutor.course.loader import Chapter
from tutor.practice.outcome import Recorded
from tutor.screens.base import NotNow
from tutor.screens.code_drafts import CodeDraftScreen
from tutor.screens.code_panes import NotesPane, TestsPane, hints_text, solution_view
from tutor.screens.item import rating_bindings
from tutor.session import Session
from tutor.widgets.code_editor import TestTable, draft_path, make_editor, write_draft_file

if TYPE_CHECKING:
    from tutor.practice.code import CodeResult
    from tutor.practice.kernels import Kernel

AUTOSAVE_DELAY = 1.0
"""Seconds of quiet typing before a draft is saved."""


class CodeWorkScreen(CodeDraftScreen):
    """Shared by code exercises and labs: editor, drafts, run, check, hints, solution, REPL pane."""

    BINDINGS = [
        Binding("ctrl+s", "check", "Check", id="code-check", tooltip="Grade your file"),
        Binding("ctrl+r", "run", "Run", id="code-run", tooltip="Run the file in the REPL"),
        Binding("f5", "run", "Run", id="code-run-f5", show=False),
        Binding("ctrl+t", "hint", "Hint", id="code-hint", tooltip="Show the next hint"),
        Binding(
            "ctrl+l",
            "toggle_repl",
            "REPL",
            id="code-repl",
            show=False,
            tooltip="Show or hide the REPL",
        ),
        # Priority: the editor would otherwise take escape to move focus on, leaving the learner
        # lost.
        Binding(
            "escape",
            "back",
            "Back",
            id="code-back",
            priority=True,
            tooltip="Leave the editor; again to leave the exercise (the draft is saved)",
        ),
        Binding(
            "escape",
            "pause_review",
            "Pause",
            id="code-review-pause",
            priority=True,
            tooltip="Review: pause the session here (enter there goes on)",
        ),
        Binding("e", "edit", "Edit", id="code-edit", tooltip="Back to typing in the editor"),
        Binding(
            "shift+tab",
            "previous",
            "Previous",
            id="code-previous",
            show=False,
            tooltip="The previous part of the screen (from a full-screen pane: the editor)",
        ),
        Binding(
            "ctrl+o",
            "external_editor",
            "Editor",
            id="code-editor",
            show=False,
            tooltip="Edit the file in $EDITOR, then reload it",
        ),
        Binding(
            "ctrl+g",
            "solution",
            "Solution",
            id="code-solution",
            show=False,
            tooltip="Show the reference solution (gives up if not solved)",
        ),
        # Not ctrl+b: that is tmux's prefix and never reaches the app.
        Binding(
            "ctrl+n",
            "swap_text",
            "Starter/draft",
            id="code-swap",
            show=False,
            tooltip="Swap between the starter and your last draft",
        ),
        Binding(
            "f3",
            "show_tests",
            "Tests",
            id="code-tests",
            tooltip="The test table full screen (escape returns to the editor)",
        ),
        # A review item, with the editor left (escape): plain keys act, as the footer shows.
        Binding(
            "enter",
            "continue_review",
            "Continue",
            id="code-review-continue",
            tooltip="Review: on to the next item",
        ),
        Binding(
            "s",
            "skip_review",
            "Skip",
            id="code-review-skip",
            tooltip="Review: leave this item for another time",
        ),
        Binding("u", "undo", "Undo", id="code-undo", tooltip="Take back this showing's rating"),
        # Out of the editor only (check_action): in it r and digits are code.
        *rating_bindings("code"),
    ]
    last_result: reactive[CodeResult | None] = reactive(None, bindings=True)
    """The latest grading result; F3 (the test table) is offered once there is one."""
    STATUS_ID = "code-status"
    LEECH_TEXT = (
        "Leech: this one keeps slipping. Study the reference solution (ctrl+g), then come back "
        "to it."
    )
    REVIEW_ONLY = ("continue_review", "skip_review", "pause_review")
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    """At 24 rows the statement and status give way, so the editor keeps 12 lines of code."""
    ESCAPE_TO_MINIMIZE = False
    """Escape from a full-screen pane is `action_back`: it also puts the cursor back in the
    editor."""
    DEFAULT_CSS = """
    CodeWorkScreen #code-title { padding: 0 1; background: $boost; text-style: bold; height: 1; }
    CodeWorkScreen #code-statement { max-height: 6; height: auto; padding: 0 1; }
    CodeWorkScreen.-short #code-statement { max-height: 3; }
    CodeWorkScreen #code-editor { height: 3fr; min-height: 14; border: round $primary 40%;
                                  scrollbar-size-vertical: 1; }
    CodeWorkScreen #code-editor:focus { border: round $accent; }
    CodeWorkScreen #code-status { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    CodeWorkScreen.-short #code-status { max-height: 2; }
    CodeWorkScreen #code-panes { height: 2fr; min-height: 4; }
    CodeWorkScreen.-output #code-editor { min-height: 8; }
    CodeWorkScreen #code-notes { padding: 0 1; }
    CodeWorkScreen #code-detail { height: auto; max-height: 2; padding: 0 1; }
    CodeWorkScreen TestsPane.-maximized #code-detail { max-height: 20; }
    CodeWorkScreen TestTable { min-height: 3; }
    """

    class Checked(CodeDraftScreen.Checked["CodeResult | None"]):
        """A grading worker finished: the result (or why there is none) and the recorded attempt."""

    def __init__(
        self,
        session: Session,
        chapter: Chapter,
        item: CodeExercise | Lab,
        review: bool = False,
        review_position: str = "",
    ) -> None:
        super().__init__(session, item, review, review_position)
        self.chapter = chapter
        self._record_check = True
        """Whether the check under way is recorded (not once the showing is solved)."""

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from tutor.widgets.repl import Repl

        position = f"  ·  {self.review_position}" if self.review_position else ""
        yield Static(f"{self.item.id}  {self.item.title}{position}", id="code-title")
        with VerticalScroll(id="code-statement"):
            yield from self.compose_statement()
        yield make_editor(self._initial_text(), id="code-editor")
        yield Static("", id="code-status")
        with ContentSwitcher(initial="code-notes", id="code-panes"):
            with NotesPane(id="code-notes"):
                yield Static(self._notes_intro(), id="code-notes-text")
            with TestsPane(id="code-tests"):
                yield TestTable(id="code-table")
                yield Static("", id="code-detail")
            yield Repl(self._new_kernel, id="code-repl")
            yield from self.compose_panes()
        yield Footer()

    def compose_statement(self) -> ComposeResult:
        """The statement (labs add their steps)."""
        yield Static(Text(self.item.statement))

    def compose_panes(self) -> ComposeResult:
        """Extra panes in the bottom switcher (labs add results)."""
        yield from ()

    def _notes_intro(self) -> Text:
        entry = ", ".join(f"{name}()" for name in self.item.entry)
        text = Text()
        text.append(f"Write {entry}. ", style="bold")
        challenge = getattr(self.item, "challenge_entry", [])
        if challenge:
            text.append(f"Optional challenge: {', '.join(f'{name}()' for name in challenge)}. ")
        text.append(
            "ctrl+s checks it on fresh inputs (you keep typing; F3 browses the tests), ctrl+r runs "
            "it in the REPL, ctrl+t shows a hint, ctrl+o opens $EDITOR, ctrl+l the REPL. "
            "escape leaves the editor, e goes back to it."
        )
        if self.review:
            text.append(
                "\nReview: you start again from the starter code; ctrl+n swaps in your last "
                "draft (and back)."
            )
        return text

    def on_mount(self) -> None:
        self._saved_text = self.code
        self.focus_editor()

    def action_edit(self) -> None:
        """Back to the editor from the test table, the notes or the REPL."""
        if self.maximized is not None:
            self.minimize()
        self.focus_editor()

    def action_previous(self) -> None:
        """Shift+tab; a full-screen pane has nothing before it, so it goes back to the editor."""
        if self.maximized is not None:
            self.action_edit()
        else:
            self.focus_previous()

    def watch_maximized(self) -> None:
        # The footer changes with a full-screen pane (F3 and "e Edit" come and go).
        self.refresh_bindings()

    def not_now(self) -> dict[str, NotNow]:
        """What the item's state stops: a second check while one runs, a hint once all are shown,
        undo and r before a rating, the starter/draft swap with no draft."""
        stopped = super().not_now()
        if self.checking:
            stopped["check"] = NotNow("a check is running", soon=True)
        if self.hints_shown >= len(self.item.hints):
            stopped["hint"] = NotNow("no hints left" if self.item.hints else "no hints here")
        if self._other_text is None:
            stopped["swap_text"] = NotNow("there is no saved draft yet")
        return stopped

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "e Edit" is offered only while the editor does not have the focus, F3 once there are
        results; what the item's state stops (`not_now`) is hidden or disabled."""
        allowed = self.state_allows(action)
        if allowed is not True:
            return allowed
        if action == "edit":
            return self.focused is not self.editor
        if action == "show_tests":  # hidden while a pane is full screen: the footer is full then
            return self.last_result is not None and self.maximized is None
        # Plain keys only while no text box has the cursor (the editor, the REPL's input).
        outside = self.focused is None
        pausing = self.review and outside and self.maximized is None
        if action == "back":
            return not pausing
        if action == "pause_review":
            return pausing
        if action == "continue_review":
            return self.review and outside and self.recorded is not None
        if action == "skip_review":
            return self.review and outside and self.recorded is None
        if action in ("undo", "rate_prompt"):
            return outside
        rating = self.rating_allows(action)
        return True if rating is None else outside and rating

    # The draft is kept a moment after the typing stops (and at once on leaving).
    @on(TextArea.Changed, "#code-editor")
    def _schedule_autosave(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_DELAY, self.save_draft)

    # -- running ---------------------------------------------------------------------------

    def _new_kernel(self) -> Kernel:
        return self.session.new_kernel(torch="torch" in self.item.requires)

    def _show_pane(self, pane: str) -> None:
        self.query_one("#code-panes", ContentSwitcher).current = pane
        self._pane_shown(pane)

    def _pane_shown(self, pane: str) -> None:
        # Output (REPL, tests, results) needs rows more than the editor's twelve lines do then.
        self.set_class(pane != "code-notes", "-output")

    def action_run(self) -> None:
        """Run the whole file as a cell in the REPL kernel; its output appears in the REPL pane."""
        from tutor.widgets.repl import Repl

        self._show_pane("code-repl")
        repl = self.query_one(Repl)
        if repl.running:
            self.notify("The REPL is still running a cell (F2 interrupts it).")
            return
        repl.send(self.code)

    def action_toggle_repl(self) -> None:
        """Show the REPL pane (focused), or go back to the notes."""
        switcher = self.query_one("#code-panes", ContentSwitcher)
        if switcher.current == "code-repl":
            switcher.current = "code-notes"
            self._pane_shown("code-notes")
            self.query_one("#code-editor", TextArea).focus()
        else:
            switcher.current = "code-repl"
            self._pane_shown("code-repl")
            self.query_one("#repl-input").focus()

    def action_show_tests(self) -> None:
        """The test table full screen, focused so arrows pick a test and show its whole message."""
        self._show_pane("code-tests")
        self.maximize(self.query_one("#code-tests", TestsPane), container=False)
        self.query_one("#code-table", TestTable).focus()

    # -- checking --------------------------------------------------------------------------

    def action_check(self) -> None:
        """Grade the editor's text off the UI thread (fresh kernel, parent-chosen inputs)."""
        if self.checking:
            return
        self.checking = True
        self.save_draft()
        self.attempts += 1
        self._status("Checking in a fresh kernel…")
        text, attempt, hints = self.code, self.attempts, self.hints_shown
        duration = time.monotonic() - self.started
        # A showing ends when it is solved: checks after that are for the learner, not the schedule.
        self._record_check = not self.solved
        self.run_worker(
            lambda: self._grade(text, attempt, hints, duration),
            thread=True,
            exclusive=True,
            group="code-check",
            exit_on_error=False,
        )

    def _grade(self, text: str, attempt: int, hints: int, duration: float) -> None:
        """Worker thread: write the file, grade it, record the attempt, post the outcome."""
        from tutor.practice.code import CannotGrade, not_graded_text

        path = draft_path(self.session.settings.drafts_dir, self.item.id)
        try:
            write_draft_file(self.session.settings.drafts_dir, self.item.id, text)
            result = self.session.grade_code(self.chapter, self.item, path)
        except CannotGrade as exc:  # e.g. a file that does not parse: `tutor check`'s words
            # The draft file by its name: the data dir's path could push the line and column
            # past the status lines at 80×24.
            why = not_graded_text(self.item.id, exc).replace(str(path), path.name)
            self.post_message(self.Checked(None, None, why[:1].upper() + why[1:]))
            return
        except Exception as exc:  # the grader must never take the screen down
            self.post_message(self.Checked(None, None, f"Could not grade: {exc}"))
            return
        recorded, error = None, ""
        if not self._record_check:
            error = "Solved already in this showing: this check is not recorded."
        else:  # code that fails when loaded was graded: it is a wrong attempt
            try:
                recorded = self._record(result.correct, attempt, hints, duration, gave_up=False)
            except Exception as exc:  # a locked store must not hide the verdict
                error = f"Not saved: {exc}"
        self.post_message(self.Checked(result, recorded, error))

    def shown(self) -> tuple[str, int, int]:
        """The code item (code items have no variants)."""
        return self.item.id, 0, self.item.par_seconds

    def keys_are_text(self) -> bool:
        """The editor or the REPL's input takes printable keys while it has the cursor."""
        return self.focused is not None

    @on(Checked)
    def _show_verdict(self, message: Checked) -> None:
        self.checking = False
        if message.recorded is not None:
            self.recorded = message.recorded
        result = message.result
        # A hidden REPL input loses the focus to whatever is next; the learner wants to type on.
        self.focus_editor()
        if result is None:
            # Nothing was graded or recorded: this check does not count as an attempt.
            self.attempts -= 1
            self._status(message.error)
            return
        self.last_result = result
        self.query_one("#code-table", TestTable).show(list(result.tests))
        self.query_one("#code-detail", Static).update(Text(result.load_error))
        self._show_pane("code-tests")
        lines = [("Correct. " if result.correct else "Not yet. ") + _headline(result.feedback)]
        if message.recorded is not None:
            lines.append(self._rating_line(message.recorded))
        if message.error:
            lines.append(message.error)
        layers = result.isolation.get("layers") if result.isolation else None
        if isinstance(layers, dict) and result.isolation.get("level") != "full":
            # Said on every grading run with less than every layer (kernel.isolation = relaxed).
            missing = ", ".join(name for name, layer in layers.items() if not layer.get("ok"))
            level = result.isolation.get("level")
            lines.append(f"Sandbox {level}: missing {missing} (see tutor doctor).")
        if result.correct:
            self.solved = True
            lines.append("ctrl+g shows the reference solution.")
        self._status("\n".join(lines))

    @on(DataTable.RowHighlighted, "#code-table")
    def _show_test_detail(self, event: DataTable.RowHighlighted) -> None:
        if self.last_result is None or event.row_key.value is None:
            return
        test = self.last_result.tests[int(event.row_key.value)]
        self.query_one("#code-detail", Static).update(Text(f"{test.name}\n{test.message}"))

    # -- help ------------------------------------------------------------------------------

    def _notes(self, text: Text | Content) -> None:
        self.query_one("#code-notes-text", Static).update(text)
        self._show_pane("code-notes")

    def action_hint(self) -> None:
        """Show the next hint."""
        hints = self.item.hints
        if self.hints_shown >= len(hints):
            self.notify("No more hints; ctrl+g shows the reference solution.")
            return
        self.hints_shown += 1
        # A theme variable, resolved when painted: the label takes each theme's colour.
        self._notes(hints_text(hints[: self.hints_shown]))

    def action_solution(self) -> None:
        """The reference solution; before a success this gives up (recorded as a wrong attempt)."""
        if not self.solved and not self.gave_up:
            self.gave_up = True
            self.give_up_saving()
            attempt, hints = self.attempts + 1, self.hints_shown
            duration = time.monotonic() - self.started
            self.run_worker(
                lambda: self._record_give_up(attempt, hints, duration),
                thread=True,
                group="code-record",
                exit_on_error=False,
            )
        self._show_solution()

    def _show_solution(self) -> None:
        """The reference solution, highlighted and full screen (at 80×24 the pane shows six
        lines)."""
        self.query_one("#code-notes-text", Static).update(solution_view(self.item.solution))
        self._show_pane("code-notes")
        notes = self.query_one("#code-notes", NotesPane)
        self.maximize(notes, container=False)
        notes.focus()

    def _record_give_up(self, attempt: int, hints: int, duration: float) -> None:
        try:
            recorded = self._record(False, attempt, hints, duration, gave_up=True)
        except Exception as exc:
            self.post_message(self.GaveUp(None, f"Not saved: {exc}"))
            return
        self.post_message(self.GaveUp(recorded, ""))

    class GaveUp(Message):
        """The give-up attempt was recorded (or could not be)."""

        def __init__(self, recorded: Recorded | None, error: str) -> None:
            super().__init__()
            self.recorded = recorded
            self.error = error

    @on(GaveUp)
    def _gave_up(self, message: GaveUp) -> None:
        lines = [message.error or "Gave up: the reference solution is shown."]
        if message.recorded is not None:
            self.recorded = message.recorded
            lines.append(self._rating_line(message.recorded))
        if not message.error:
            lines.append("Try again later in review.")
        self._status("\n".join(lines))
        self.give_up_saved()

    # -- leaving ---------------------------------------------------------------------------

    def action_continue_review(self) -> None:
        """Review: the item is answered; on to the next one (with the give-up's rating)."""
        if self.after_give_up_saved(self.action_continue_review):
            return
        self.leave()

    def action_skip_review(self) -> None:
        """Review: leave the item unanswered (it stays due); the code typed so far is kept."""
        self.leave_skipped()

    def save_before_leaving(self) -> None:
        """Always write the draft on leaving (a solved review's draft is cleared)."""
        self.save_draft()

    def reopen(self) -> None:
        """After an undo: the same code, checked again for a new showing."""
        self._status("Rating taken back: change the code and check again.")

    def action_back(self) -> None:
        """Escape steps out: results, REPL, tests → the editor → no focus → leave the screen.

        Leaving saves the draft and dismisses with the last recorded attempt (review sessions use
        it).
        """
        if self.maximized is not None or (
            self.focused is not None and self.focused is not self.editor
        ):
            self.action_edit()
            return
        if self.focused is self.editor:
            self.set_focus(None)
            return
        self.leave()

    def action_pause_review(self) -> None:
        """Review, with the editor left: back to the session, which waits here (paused)."""
        if self.after_give_up_saved(self.action_pause_review):
            return
        self.leave_paused()


class CodeExerciseScreen(CodeWorkScreen):
    """Write the functions of one code exercise, run them, check them, get hints."""

    def __init__(
        self,
        session: Session,
        chapter: Chapter,
        exercise: CodeExercise,
        review: bool = False,
        review_position: str = "",
    ) -> None:
        super().__init__(session, chapter, exercise, review, review_position)
        self.exercise = exercise


TRACEBACK = "Traceback (most recent call last):"


def _headline(feedback: str) -> str:
    """The feedback's first line; a line that only announces ("…could not be run:") takes the next
    one
    too, and a traceback is cut down to the exception it ends with (the test table has all of
    it)."""
    if TRACEBACK in feedback:
        head, _, trace = feedback.partition(TRACEBACK)
        last = [line.strip() for line in trace.splitlines() if line.strip()][-1:]
        # A timeout's traceback ends in the interrupt the head already explains.
        feedback = " ".join(
            [" ".join(head.split()), *(line for line in last if line != "KeyboardInterrupt")]
        )
    lines = [line.strip() for line in feedback.splitlines() if line.strip()] or [""]
    return f"{lines[0]} {lines[1]}" if lines[0].endswith(":") and len(lines) > 1 else lines[0]
