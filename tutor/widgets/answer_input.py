"""One answer box of a hand exercise: its prompt, an Input, a live "read as" preview and feedback."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static


def preview_text(text: str, *, proof: dict[str, str] | None = None) -> str:
    """How the answer reads, or why it cannot be read (syntax only: fast enough for every keystroke)."""
    if not text.strip():
        return ""
    from checkers.syntax import read_as, read_as_proof

    if proof is not None:
        return read_as_proof(text, entries=proof.get("entries", ""), matrices=proof.get("matrices", ""))
    return read_as(text)


class AnswerInput(Vertical):
    """Prompt, input, "read as" preview and per-part feedback for one named part."""

    DEFAULT_CSS = """
    AnswerInput { height: auto; margin: 0 0 1 0; }
    AnswerInput .answer-prompt { color: $text; }
    AnswerInput .answer-preview { color: $text-muted; padding: 0 1; height: auto; }
    AnswerInput .answer-feedback { padding: 0 1; height: auto; }
    AnswerInput .answer-feedback.-right { color: $success; }
    AnswerInput .answer-feedback.-wrong { color: $error; }
    """

    def __init__(self, name: str, prompt: str, *, proof: dict[str, str] | None = None) -> None:
        super().__init__(id=f"part-{name}")
        self.part_name = name
        self.prompt = prompt
        self.proof = proof

    def compose(self) -> ComposeResult:
        yield Static(Text(self.prompt), classes="answer-prompt")
        yield Input(placeholder="your answer", id=f"input-{self.part_name}")
        yield Static("", classes="answer-preview")
        yield Static("", classes="answer-feedback")

    @property
    def value(self) -> str:
        """What the learner typed."""
        return self.query_one(Input).value

    @on(Input.Changed)
    def _update_preview(self, event: Input.Changed) -> None:
        shown = preview_text(event.value, proof=self.proof)
        self.query_one(".answer-preview", Static).update(Text(f"read as: {shown}" if shown else ""))
        self.show_feedback(None, "")

    def show_feedback(self, correct: bool | None, feedback: str) -> None:
        """Mark the part right or wrong with its feedback; None clears it."""
        box = self.query_one(".answer-feedback", Static)
        box.set_class(correct is True, "-right")
        box.set_class(correct is False, "-wrong")
        if correct is None:
            box.update("")
            return
        mark = "✓ right" if correct else "✗"
        box.update(Text(f"{mark} {feedback}".rstrip()))
