"""Course blocks as Rich renderables, shared by `tutor show` and the section reader."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table as RichTable
from rich.text import Text

from tutor.colours import ANSI, Colours, Role
from tutor.course.schema import (
    Block,
    Callout,
    CodeExample,
    Definition,
    Figure,
    Formula,
    Prose,
    Section,
    Table,
)

CALLOUT_STYLE: dict[str, tuple[str, Role]] = {
    "ml": ("ML connection", "secondary"),
    "intuition": ("Intuition", "accent"),
    "warning": ("Warning", "warning"),
    "note": ("Note", "primary"),
}
"""A callout's tone → its label and the role of its colour."""


class HighlightedSyntax(Syntax):
    """Syntax that lexes its code once: Rich re-lexes on every render, and Textual renders a block
    once to size it and again to paint it (and again at each new width)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._highlighted: dict[tuple[str, Any], Text] = {}

    def highlight(self, code: str, line_range: tuple[int | None, int | None] | None = None) -> Text:
        key = (code, line_range)
        text = self._highlighted.get(key)
        if text is None:
            text = self._highlighted[key] = super().highlight(code, line_range)
        # A copy: Rich styles and trims the Text it gets back.
        return text.copy()

    def lex(self) -> None:
        """Highlight now, exactly as rendering will ask for it (so a worker thread can do it)."""
        _, processed = self._process_code(self.code)
        self.highlight(processed, self.line_range)


def render_block(block: Block, *, colours: Colours = ANSI) -> RenderableType:
    """One block as a Rich renderable in `colours`: the theme's in the app, plain ANSI names
    (which every terminal shows and NO_COLOR drops) for `tutor show`."""
    # Rich hands a Markdown's code theme to Syntax, which takes a theme object as well as a name.
    code_theme: Any = colours.code_theme
    if isinstance(block, Prose):
        return Markdown(block.text.strip(), code_theme=code_theme)
    if isinstance(block, Definition):
        return Panel(
            Markdown(block.text.strip(), code_theme=code_theme),
            title=Text(f"Definition: {block.term}", style="bold"),
            title_align="left",
            border_style=colours.style("success"),
        )
    if isinstance(block, Formula):
        body = Text(block.text.strip(), style="bold", justify="center")
        parts: list[RenderableType] = [body]
        if block.gloss:
            parts.append(Text(block.gloss.strip(), style="dim", justify="center"))
        return Panel(
            Group(*parts),
            title=block.label or None,
            title_align="left",
            border_style=colours.muted,
        )
    if isinstance(block, Callout):
        _, role = CALLOUT_STYLE[block.tone]
        return Panel(
            Markdown(block.text.strip(), code_theme=code_theme),
            title=Text(callout_title(block), style=colours.style(role, "bold")),
            title_align="left",
            border_style=colours.style(role),
        )
    if isinstance(block, CodeExample):
        code = HighlightedSyntax(block.source.rstrip(), "python", theme=code_theme, word_wrap=True)
        code.lex()
        parts = [code]
        if block.output is not None:
            parts.append(Text("output", style="dim italic"))
            parts.append(Text(block.output.rstrip(), style=colours.style("success")))
        return Panel(
            Group(*parts),
            title=block.title,
            title_align="left",
            border_style=colours.style("primary"),
        )
    if isinstance(block, Table):
        table = RichTable(title=block.title, title_justify="left", show_lines=False, expand=True)
        for column in block.columns:
            table.add_column(column, overflow="fold")
        for row in block.rows:
            table.add_row(*row)
        return table
    if isinstance(block, Figure):
        from tutor.figures import FigureRenderable

        return FigureRenderable(block, colours)
    raise TypeError(f"unknown block {type(block).__name__}")


def callout_title(block: Callout) -> str:
    """`Warning: title`; the tone's label is not repeated when the title already starts with it."""
    label, _ = CALLOUT_STYLE[block.tone]
    if block.title.lower().startswith(label.lower()):
        return block.title
    return f"{label}: {block.title}"


def render_section(section: Section) -> RenderableType:
    """A whole section, heading first, for printing outside the app."""
    heading = Text(f"{section.id}  {section.title}", style="bold underline")
    summary = Text(section.summary, style="italic")
    return Group(heading, summary, Text(""), *(_spaced(section)))


def _spaced(section: Section) -> list[RenderableType]:
    out: list[RenderableType] = []
    for block in section.blocks:
        out.append(render_block(block))
        out.append(Text(""))
    return out
