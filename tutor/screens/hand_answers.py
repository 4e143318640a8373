"""The answer parts of a hand exercise's screen: the boxes, which one has the cursor, where tab
stops, and keeping what was typed (a draft per exercise and variant) until it is checked."""

from __future__ import annotations

import json

from textual import on
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea

from tutor.screens.item import ItemScreen
from tutor.session import Session
from tutor.widgets.answer_input import AnswerInput

DRAFT_DELAY = 0.5
"""Seconds of quiet typing before unchecked answers are saved (at once on leaving or quitting)."""


class HandAnswersScreen(ItemScreen):
    """One showing of an item answered in boxes, one per part; what is typed is kept as a draft."""

    def __init__(self, session: Session, review: bool = False, review_position: str = "") -> None:
        super().__init__(session, review, review_position)
        self._draft_timer: Timer | None = None
        self._restoring = False
        self._saved_answers: list[str] = []
        """The answers as last saved (or restored), so an unchanged screen writes nothing."""

    @property
    def draft_key(self) -> str:
        """Where the unchecked answers are kept."""
        raise NotImplementedError

    @property
    def boxes(self) -> list[AnswerInput]:
        """The answer boxes, one per part, in order."""
        return list(self.query(AnswerInput))

    def typing(self) -> bool:
        """Whether an answer part has the cursor (a box or a drawing grid): then every printable
        key belongs to it."""
        return self._part_of(self.focused) is not None

    def _part_of(self, widget: object) -> AnswerInput | None:
        """The answer part holding `widget`, if any."""
        if not isinstance(widget, Widget):
            return None
        for node in (widget, *widget.ancestors):
            if isinstance(node, AnswerInput):
                return node
            if node is self:
                break
        return None

    def _stops(self) -> list[Widget]:
        """Where tab stops, in order: every focusable widget of every part (a drawing part has
        its grid and its coordinates box)."""
        return [
            widget
            for box in self.boxes
            for widget in box.query("*")
            if widget.can_focus and not widget.disabled
        ]

    @property
    def closed(self) -> bool:
        """Solved or given up: the boxes take no more text and plain keys act."""
        return self.solved or self.gave_up

    # -- keeping what was typed ---------------------------------------------------------------

    def _restore_answers(self) -> None:
        try:
            saved = self.session.load_draft(self.draft_key)
        except Exception:  # a broken store must not keep the learner from answering
            return
        try:
            answers = json.loads(saved) if saved else []
        except ValueError:
            return
        if not isinstance(answers, list):
            return
        self._restoring = True
        for box, answer in zip(self.boxes, answers, strict=False):
            if isinstance(answer, str) and answer:
                box.set_value(answer)
        self._restoring = False

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _answer_changed(self) -> None:
        if self._restoring or self.closed:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.save_typed)

    def save_typed(self) -> None:
        """Keep the unchecked answers of this exercise and variant (kept until the learner clears
        them or solves the exercise); nothing is written when nothing changed."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.closed or not self.is_mounted:
            return
        answers = [box.value for box in self.boxes]
        if answers == self._saved_answers:
            return
        text = json.dumps(answers) if any(answer.strip() for answer in answers) else ""
        try:
            self.session.save_draft(self.draft_key, text)
        except Exception as exc:
            self.notify(f"Your answers were not saved: {exc}", severity="error")
            return
        self._saved_answers = answers

    def on_screen_suspend(self) -> None:
        # Leaving by any way (help over it, home, the palette): nothing typed waits on a timer.
        self.save_typed()

    def _forget_answers(self) -> None:
        """Solved or given up: the attempt is in the log, so the draft would only spoil a retry."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        try:
            self.session.save_draft(self.draft_key, "")
        except Exception:
            pass
