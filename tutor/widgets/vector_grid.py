"""A drawing part: place the tips of named vectors on a grid with the arrow keys, or type them.

The grid and the text box say the same thing: moving a tip rewrites the box
(`a = [1, 2], b = [3, 0]`), and a readable box moves the tips. The box's text is the answer, graded
by the `drawing` answer test like any other part. Every printable key on the grid is consumed
here (a / b / space pick a vector; the rest do nothing), so no letter reaches a screen command.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from tutor.widgets.answer_input import AnswerInput

GRID = 5
"""Tips live on the integer points of [−GRID, GRID]²."""
CANVAS_ROWS = 17


_ARROWS = {"left": (-1, 0), "right": (1, 0), "up": (0, 1), "down": (0, -1)}
"""Arrow key → the step it moves the selected tip (the same as the arrow bindings)."""


class VectorGrid(Widget, can_focus=True):
    """The canvas: a braille grid with the vectors, their tips and the angle arc between them."""

    DEFAULT_CSS = """
    VectorGrid { height: 20; width: 1fr; max-width: 52; border: round $primary 50%; }
    VectorGrid:focus { border: round $accent; }
    """
    BINDINGS = [
        Binding("left", "move(-1, 0)", "←", show=False, id="grid-left"),
        Binding("right", "move(1, 0)", "→", show=False, id="grid-right"),
        Binding("up", "move(0, 1)", "↑", show=False, id="grid-up"),
        Binding("down", "move(0, -1)", "↓", show=False, id="grid-down"),
        Binding("enter", "done", "Done", show=False, id="grid-done"),
        Binding("escape", "leave", "Leave", show=False, id="grid-leave"),
    ]

    class Moved(Message):
        """A tip moved (the box follows)."""

    def __init__(self, names: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names = names
        self.tips: dict[str, tuple[int, int]] = {name: (0, 0) for name in names}
        self.placed: set[str] = set()
        """Vectors the learner has moved or typed: an untouched grid is no answer."""
        self.selected = names[0]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Printable keys belong to the grid, never to a screen binding such as h, g, n or 1–4."""
        return character is not None and character.isprintable()

    def on_key(self, event: events.Key) -> None:
        move = _ARROWS.get(event.key)
        if move is not None:
            # Moved here, not left to the bindings: a binding acts only once the key has bubbled
            # up to the app, so in a burst ("up b") the letter, handled right here, overtook it
            # and the arrow moved the wrong tip.
            event.stop()
            event.prevent_default()
            self.action_move(*move)
            return
        if event.character is None or not event.character.isprintable():
            return
        event.stop()
        event.prevent_default()
        if event.character in self.names:
            self.selected = event.character
        elif event.character == " ":
            self.selected = self.names[(self.names.index(self.selected) + 1) % len(self.names)]
        else:
            return
        self.refresh()

    def action_move(self, dx: int, dy: int) -> None:
        """Move the selected tip one grid step, staying on the grid."""
        x, y = self.tips[self.selected]
        self.tips[self.selected] = (max(-GRID, min(GRID, x + dx)), max(-GRID, min(GRID, y + dy)))
        self.placed.add(self.selected)
        self.refresh()
        self.post_message(self.Moved())

    def action_done(self) -> None:
        """Enter: on to the next part, as enter does in a text box."""
        answer = self.parent
        if isinstance(answer, DrawingInput):
            box = answer.box
            if isinstance(box, Input):
                box.post_message(Input.Submitted(box, box.value))

    def action_leave(self) -> None:
        """Escape: leave the grid for the page, so letter commands act again."""
        scroll = next((node for node in self.ancestors if getattr(node, "can_focus", False)), None)
        if scroll is not None and isinstance(scroll, Widget):
            self.screen.set_focus(scroll, scroll_visible=False)

    def set_tips(self, tips: dict[str, tuple[int, int]]) -> None:
        """Put the tips where the typed answer says (those on the grid)."""
        for name, (x, y) in tips.items():
            if name in self.tips and abs(x) <= GRID and abs(y) <= GRID:
                self.tips[name] = (x, y)
                self.placed.add(name)
        self.refresh()

    def answer(self) -> str:
        """The placed tips as answer text ("" before any is placed)."""
        # Imported here: home must load no checkers module before the first paint.
        from checkers.drawing import tips_text

        return tips_text({name: self.tips[name] for name in self.names if name in self.placed})

    def render(self) -> Any:
        from tutor.figures import plot_text, vectors_drawing

        width = max(24, self.content_region.width or 40)
        shown = {
            name: list(map(float, tip)) for name, tip in self.tips.items() if name in self.placed
        }
        marker = {name: f"{name}{'◂' if name == self.selected else ''}" for name in self.names}
        angle = (
            list(self.names[:2])
            if all(shown.get(n, [0, 0]) != [0.0, 0.0] and n in shown for n in self.names[:2])
            else []
        )
        drawing = vectors_drawing(
            {marker[n]: v for n, v in shown.items()} or {"": [0.0, 0.0]},
            [],
            [marker[n] for n in angle],
        )
        # The grid never scales to the answer, and never prints the angle (part 2 asks for it).
        drawing.xlim = drawing.ylim = (-GRID, GRID)
        # Before any tip moves, the drawing is one dot at the origin (where the tips start): with no
        # series at all plotext draws no axes, and the learner would face an empty box.
        # plotext ends its text with a newline: without stripping it, that blank row pushed the
        # key line below out of the widget.
        canvas = plot_text(drawing, width, CANVAS_ROWS).rstrip("\n")
        text = Text.from_ansi(canvas, no_wrap=True, end="")
        selected = f"moving {self.selected} · ←↑↓→ move it · {'/'.join(self.names)}/space pick"
        return Text("\n").join([text, Text(selected, style="dim")])


class DrawingInput(AnswerInput):
    """An answer part drawn on a grid: the grid, the coordinates box and the feedback."""

    DEFAULT_CSS = """
    DrawingInput .drawing-row { height: auto; }
    """

    def __init__(self, name: str, prompt: str, names: list[str]) -> None:
        super().__init__(name, prompt, maths=False, placeholder="a = [x, y], b = [x, y]")
        self.names = names

    def compose(self) -> ComposeResult:
        yield Static(Text(self.prompt), classes="answer-prompt")
        yield VectorGrid(self.names, id=f"grid-{self.part_name}")
        yield Input(
            placeholder=self.placeholder, id=f"input-{self.part_name}", classes="answer-box"
        )
        yield Static("", classes="answer-preview")
        yield Static("", classes="answer-feedback")

    @property
    def grid(self) -> VectorGrid:
        """The canvas."""
        return self.query_one(VectorGrid)

    def focus_box(self) -> None:
        """Focus the grid: a drawing part starts with the arrow keys."""
        self.app.set_focus(self.grid)

    @on(VectorGrid.Moved)
    def _grid_moved(self, event: VectorGrid.Moved) -> None:
        event.stop()
        box = self.box
        assert isinstance(box, Input)
        text = self.grid.answer()
        if box.value != text:
            with box.prevent(Input.Changed):
                box.value = text
        self.show_feedback(None, "")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        """Typed coordinates move the tips as soon as they read."""
        from checkers.drawing import DrawingError, parse_tips

        event.stop()
        try:
            self.grid.set_tips(parse_tips(event.value))
        except DrawingError:
            pass  # half-typed: the grid waits for a readable answer
        self.show_feedback(None, "")
