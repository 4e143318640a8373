"""One answer box of a hand exercise: its prompt, an input, a live "read as" preview and
feedback."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static, TextArea

from tutor.widgets.keys_in_order import InOrderInput, InOrderTextArea


def preview_text(text: str, *, proof: dict[str, str] | None = None) -> str:
    """How the answer reads, or why it cannot be read (syntax only: fast enough for every
    keystroke)."""
    if not text.strip():
        return ""
    from checkers.syntax import read_as, read_as_proof

    if proof is not None:
        return read_as_proof(
            text, entries=proof.get("entries", ""), matrices=proof.get("matrices", "")
        )
    return read_as(text, numbers_only=True)  # as the checker reads exercise answers


def proof_placeholder(start: str, target: str) -> str:
    """What an empty proof box shows: the shape of a chain, one step per line."""
    return (
        f"{start}\n= … one step per line (enter starts the next; or join steps with =)\n= {target}"
    )


class AnswerInput(Vertical):
    """Prompt, input, "read as" preview and per-part feedback for one named part.

    A proof part gets a multi-line box (one step of the chain per line, ctrl+s checks); every
    other part a one-line input (enter moves on).
    """

    DEFAULT_CSS = """
    AnswerInput { height: auto; margin: 0 0 1 0; }
    AnswerInput .answer-prompt { color: $text; }
    AnswerInput .proof-box { height: 6; }
    AnswerInput Input.answer-box {
        height: 1; border: none; border-left: wide $primary 50%; padding: 0 1; background: $panel;
    }
    AnswerInput Input.answer-box:focus { border: none; border-left: wide $accent; }
    AnswerInput .answer-preview { color: $text-muted; padding: 0 1; height: auto; }
    AnswerInput .answer-feedback { padding: 0 1; height: auto; }
    AnswerInput .answer-feedback.-right { color: $success; }
    AnswerInput .answer-feedback.-wrong { color: $error; }
    """

    def __init__(
        self,
        name: str,
        prompt: str,
        *,
        proof: dict[str, str] | None = None,
        maths: bool = True,
        placeholder: str = "your answer",
    ) -> None:
        super().__init__(id=f"part-{name}")
        self.placeholder = placeholder
        """Shown in the empty box (the numeric policy for number parts)."""
        self.part_name = name
        self.prompt = prompt
        self.proof = proof
        self.maths = maths
        """False for a word answer (L1, L2, L∞): reading it as maths ("L·∞") would only confuse."""

    def compose(self) -> ComposeResult:
        yield Static(Text(self.prompt), classes="answer-prompt")
        if self.proof is not None:
            placeholder = proof_placeholder(
                self.proof.get("start", "start"), self.proof.get("target", "target")
            )
            yield InOrderTextArea(
                id=f"input-{self.part_name}",
                classes="answer-box proof-box",
                soft_wrap=True,
                tab_behavior="focus",
                placeholder=placeholder,
            )
        else:
            # One row high (a bar on the left, no frame): three parts, their verdicts and the
            # summary
            # fit on 80×24.
            yield InOrderInput(
                placeholder=self.placeholder, id=f"input-{self.part_name}", classes="answer-box"
            )
        yield Static("", classes="answer-preview")
        yield Static("", classes="answer-feedback")

    def on_mount(self) -> None:
        self.query_one(".answer-preview", Static).display = False
        self.query_one(".answer-feedback", Static).display = False

    @property
    def box(self) -> Input | TextArea:
        """The widget the learner types in."""
        return self.query_one(".answer-box")  # type: ignore[return-value]

    @property
    def value(self) -> str:
        """What the learner typed."""
        box = self.box
        return box.text if isinstance(box, TextArea) else box.value

    def set_value(self, text: str) -> None:
        """Put `text` in the box, as if typed (a kept draft coming back)."""
        box = self.box
        if isinstance(box, TextArea):
            box.load_text(text)
        else:
            box.value = text
            box.cursor_position = len(text)

    def focus_box(self) -> None:
        """Put the cursor in this part's box."""
        # set_focus acts now; focus() would wait, and keys typed meanwhile would land in the old
        # box.
        self.app.set_focus(self.box)

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _update_preview(self) -> None:
        shown = preview_text(self.value, proof=self.proof) if self.maths else ""
        preview = self.query_one(".answer-preview", Static)
        preview.update(Text(f"read as: {shown}" if shown else ""))
        preview.display = bool(shown)
        self.show_feedback(None, "")

    def show_feedback(self, correct: bool | None, feedback: str) -> None:
        """Mark the part right or wrong with its feedback; None clears it."""
        box = self.query_one(".answer-feedback", Static)
        box.set_class(correct is True, "-right")
        box.set_class(correct is False, "-wrong")
        box.display = correct is not None
        if correct is None:
            box.update("")
            return
        feedback = feedback.strip()
        if correct:
            # A right proof also says why ("Every step checks out."): set apart from the mark.
            box.update(Text(f"✓ right · {feedback}" if feedback else "✓ right"))
        else:
            box.update(Text(f"✗ {feedback}".rstrip()))
