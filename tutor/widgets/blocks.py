"""Section blocks as widgets: one Static per block, code examples focusable for the REPL."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from textual.binding import Binding
from textual.widgets import Static

from tutor.colours import Colours
from tutor.course.schema import (
    Block,
    Callout,
    CodeExample,
    Definition,
    Figure,
    Formula,
    Prose,
    Table,
)
from tutor.render import callout_title, render_block

_KIND = {
    Prose: "prose",
    Definition: "definition",
    Formula: "formula",
    Callout: "callout",
    CodeExample: "code",
    Table: "table",
    Figure: "figure",
}


def block_kind(block: Block) -> str:
    """The block's kind as used in CSS classes: prose, definition, formula, callout, code, table."""
    return _KIND[type(block)]


class CachedRenderable:
    """Renders a Rich renderable once per width: Textual re-renders on every layout pass,
    and Markdown and syntax highlighting dominate a section's open time without this."""

    def __init__(self, renderable: RenderableType, console: Console | None = None) -> None:
        self.renderable = renderable
        self._console = console
        """The console to render with (its Markdown styles are the theme's); None: the one
        given."""
        self._lines: dict[int, list[Segment]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.segments(console, options)

    def segments(self, console: Console, options: ConsoleOptions) -> list[Segment]:
        """The rendered segments at `options.max_width` (rendered on the first call for that
        width)."""
        segments = self._lines.get(options.max_width)
        if segments is None:
            console = self._console or console
            segments = list(console.render(self.renderable, options.update(height=None)))
            self._lines[options.max_width] = segments
        return segments

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


_RENDERED: dict[tuple[int, Colours], tuple[Block, CachedRenderable]] = {}
"""(id of block, colours) → the block (kept alive so its id stays unique) and its cached
renderable."""


def cached_render(block: Block, colours: Colours) -> CachedRenderable:
    """`render_block` once per block and theme's colours: reopening a section re-parses no
    Markdown, re-lexes no code and re-wraps nothing at a width already seen."""
    key = (id(block), colours)
    hit = _RENDERED.get(key)
    if hit is not None and hit[0] is block:
        return hit[1]
    rendered = CachedRenderable(render_block(block, colours=colours), colours.console)
    _RENDERED[key] = (block, rendered)
    return rendered


def prepare_blocks(
    blocks: Iterable[Block],
    colours: Colours,
    console: Console | None = None,
    options: ConsoleOptions | None = None,
) -> None:
    """Build the renderables of `blocks` ahead of time, and render them with `console` and `options`
    when given (safe in a worker thread: no widget is touched, and rendering only reads the
    console)."""
    for block in blocks:
        rendered = cached_render(block, colours)
        if console is not None and options is not None:
            rendered.segments(console, options)


class BlockView(Static):
    """One rendered block; its CSS classes name the kind (and a callout's tone)."""

    def __init__(self, block: Block, *, colours: Colours, id: str | None = None) -> None:
        classes = f"block -{block_kind(block)}"
        if isinstance(block, Callout):
            classes += f" -{block.tone}"
        super().__init__(cached_render(block, colours), id=id, classes=classes)
        self.block = block


class CodeBlock(BlockView):
    """A code example; focus it (tab) and press e to send its source to the REPL."""

    can_focus = True
    BINDINGS = [
        Binding("enter", "screen.run_example", "Run in REPL", show=False, id="reader-block-run")
    ]

    @property
    def source(self) -> str:
        """The example's Python source."""
        assert isinstance(self.block, CodeExample)
        return self.block.source


def block_view(block: Block, *, colours: Colours, id: str | None = None) -> BlockView:
    """The widget for `block`, in `colours`."""
    if isinstance(block, CodeExample):
        return CodeBlock(block, colours=colours, id=id)
    return BlockView(block, colours=colours, id=id)


def toc_label(block: Block) -> str | None:
    """The table-of-contents entry for a block, or None if it gets none."""
    if isinstance(block, Definition):
        return f"Def: {block.term}"
    if isinstance(block, Callout):
        return callout_title(block)
    if isinstance(block, Formula):
        return f"Formula: {block.label}" if block.label else None
    if isinstance(block, CodeExample):
        return f"Code: {block.title}"
    if isinstance(block, Table):
        return f"Table: {block.title}"
    if isinstance(block, Figure):
        return f"Figure: {block.title}"
    if isinstance(block, Prose):
        for line in block.text.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip() or None
    return None
