"""The code editor's text kept as drafts: where it is stored, what the editor starts with, the
saving, the starter/draft swap and the round trip through $EDITOR.

`CodeDraftScreen` is the part of a code item's screen (`CodeWorkScreen`, and so labs) that owns the
editor's text; the layout, running and checking build on it.
"""

from __future__ import annotations

from textual.timer import Timer
from textual.widgets import TextArea

from tutor.course.exercise_schema import CodeExercise, Lab
from tutor.screens.item import ItemScreen
from tutor.session import Session
from tutor.widgets.code_editor import editor_command, run_editor, write_draft_file


class CodeDraftScreen(ItemScreen):
    """One showing of a code item whose answer is the editor's text, kept in the progress store."""

    def __init__(
        self,
        session: Session,
        item: CodeExercise | Lab,
        review: bool = False,
        review_position: str = "",
    ) -> None:
        super().__init__(session, review, review_position)
        self.item = item
        self._saved_draft = self._load_draft()
        self._other_text: str | None = None
        self._autosave: Timer | None = None
        self._saved_text: str | None = None
        """The editor's text as last saved (None: nothing saved yet, only shown)."""

    @property
    def editor(self) -> TextArea:
        """The code editor."""
        return self.query_one("#code-editor", TextArea)

    def focus_editor(self) -> None:
        """Put the cursor back in the editor, so typing goes on where it stopped."""
        self.editor.focus()

    def _status(self, text: str) -> None:
        # Whatever the status says is what r's prompt shows under and goes back to.
        self._status_lines = text.split("\n")
        self._show_status(text)

    @property
    def draft_key(self) -> str:
        """Where the editor's text is kept: a review's attempt apart from the learner's own draft,
        so reviewing never overwrites it."""
        return f"{self.item.id}#review" if self.review else self.item.id

    def _load_draft(self) -> str | None:
        try:
            return self.session.load_draft(self.item.id)
        except Exception:  # a broken store must not stop the learner from coding
            return None

    def _initial_text(self) -> str:
        draft = self._saved_draft
        if self.review:
            # A review starts from the starter (or from where an interrupted review stopped);
            # ctrl+n swaps in the learner's own draft.
            try:
                earlier = self.session.load_draft(self.draft_key)
            except Exception:
                earlier = None
            self._other_text = draft
            return earlier or self.item.starter
        if not draft:
            self._other_text = draft
            return self.item.starter
        self._other_text = self.item.starter
        return draft

    @property
    def code(self) -> str:
        """What is in the editor now."""
        return self.query_one("#code-editor", TextArea).text

    def save_draft(self) -> None:
        """Keep the editor's text in the progress store (and nothing typed is lost to a crash)."""
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None
        if not self.is_mounted:
            return
        # A solved review leaves nothing behind: the next review starts from the starter again.
        text = "" if self.review and self.solved else self.code
        try:
            self.session.save_draft(self.draft_key, text)
        except Exception as exc:
            self.notify(f"The draft was not saved: {exc}", severity="error")
            return
        self._saved_text = self.code

    def save_typed(self) -> None:
        """On quit or a hang-up: save an edit the autosave has not saved yet (it may not even
        have heard of it: the editor's change message can still be on its way)."""
        if self._autosave is not None or (self.is_mounted and self.code != self._saved_text):
            self.save_draft()

    def on_screen_suspend(self) -> None:
        # Leaving by any way (another screen opened over this one, home, the palette).
        self.save_typed()

    def on_unmount(self) -> None:
        # Saved already when the screen was left (suspended): no timer may fire on a gone screen.
        if self._autosave is not None:
            self._autosave.stop()

    def action_swap_text(self) -> None:
        """Swap the editor between the starter and the last draft."""
        if self._other_text is None:
            self.notify("There is no saved draft yet.")
            return
        editor = self.query_one("#code-editor", TextArea)
        current = editor.text
        editor.load_text(self._other_text)
        self._other_text = current

    def action_external_editor(self) -> None:
        """Write the draft to a file, edit it in $EDITOR with the app suspended, reload it."""
        from textual.app import SuspendNotSupported

        settings = self.session.settings
        path = write_draft_file(settings.drafts_dir, self.item.id, self.code)
        command = editor_command(settings.editor)
        try:
            with self.app.suspend():
                problem = run_editor(command, path)
        except SuspendNotSupported:
            problem = run_editor(
                command, path
            )  # headless (tests): nothing to hand the terminal back from
        if problem:
            self.notify(f"The editor failed: {problem}", severity="error")
        self.query_one("#code-editor", TextArea).load_text(path.read_text(encoding="utf-8"))
        self.focus_editor()
        self.save_draft()
        self._status(f"Reloaded from {path}.")
