"""The Python editor of code exercises and labs, its external-editor round trip, and the test
table."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widgets import DataTable, TextArea
from textual.widgets.data_table import ColumnKey

from tutor.widgets.keys_in_order import own_binding_now
from tutor.widgets.themed import theme_style

if TYPE_CHECKING:
    from checkers.grading import TestResult


class CodeEditor(TextArea):
    """TextArea that indents like a Python editor: enter keeps the line's indent (one level more
    after
    a colon), backspace in the indent removes a whole level. Typing a function body by hand
    otherwise
    means counting spaces on every line."""

    async def _on_key(self, event: events.Key) -> None:
        if not self.read_only and event.key == "enter":
            event.stop()
            event.prevent_default()
            self._replace_via_keyboard("\n" + self._next_indent(), *self.selection)
            return
        if not self.read_only and event.key == "backspace" and self._dedent():
            event.stop()
            event.prevent_default()
            return
        if await own_binding_now(self, event):  # backspace, ctrl+z…: in order with typed text
            return
        await super()._on_key(event)

    def _next_indent(self) -> str:
        row, column = self.selection.start
        line = self.document.get_line(row)
        indent = line[: len(line) - len(line.lstrip(" \t"))][:column]
        if line[:column].rstrip().endswith(":"):
            indent += " " * self.indent_width
        return indent

    def _dedent(self) -> bool:
        """Backspace at the end of a line's indent (spaces only): remove back to the previous
        level."""
        start, end = self.selection
        row, column = end
        before = self.document.get_line(row)[:column]
        if start != end or column == 0 or before.strip(" "):
            return False
        width = (column - 1) % self.indent_width + 1
        self._replace_via_keyboard("", (row, column - width), end)
        return True


def make_editor(text: str, *, id: str) -> TextArea:
    """A code editor with Python highlighting; plain text when the grammar is missing."""
    from textual.widgets.text_area import LanguageDoesNotExist

    try:
        # Soft wrap: at 80 columns a docstring or a long expression stays readable, not cut off.
        return CodeEditor.code_editor(text, language="python", id=id, soft_wrap=True)
    except LanguageDoesNotExist:
        # tree-sitter-python missing or incompatible: still an editor, just without colours.
        return CodeEditor.code_editor(text, language=None, id=id, soft_wrap=True)


def editor_command(configured: str, environ: dict[str, str] | None = None) -> list[str]:
    """The external editor: the setting, else $VISUAL, else $EDITOR, else vi; split like a shell."""
    env = os.environ if environ is None else environ
    for candidate in (configured, env.get("VISUAL", ""), env.get("EDITOR", "")):
        if candidate.strip():
            return shlex.split(candidate)
    return ["vi"]


def draft_path(drafts_dir: Path, item_id: str) -> Path:
    """The file a draft is written to for an external editor (and for grading)."""
    return drafts_dir / f"{item_id.replace('.', '_')}.py"


def write_draft_file(drafts_dir: Path, item_id: str, text: str) -> Path:
    """Write the draft where an external editor or the grader can read it; returns the path."""
    drafts_dir.mkdir(parents=True, exist_ok=True)
    path = draft_path(drafts_dir, item_id)
    path.write_text(text, encoding="utf-8")
    return path


def run_editor(command: list[str], path: Path) -> str:
    """Run the editor on `path` and wait; '' on success, else why it failed."""
    try:
        completed = subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        return f"could not start {command[0]}: {exc.strerror}"
    if completed.returncode != 0:
        return f"{command[0]} exited with status {completed.returncode}"
    return ""


class TestTable(DataTable[Text]):
    """One row per grader test: a tick, a cross or a dash (skipped), its name and its message's
    first line."""

    __test__ = False  # a widget, not a pytest class

    DEFAULT_CSS = """
    TestTable { height: 1fr; }
    """

    NAME_WIDTH = 28
    """Columns for a test's name; the result gets the rest of the width and wraps there."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self._columns: tuple[ColumnKey, ...] = tuple(self.add_columns("", "test", "result"))
        self._tests: list[TestResult] = []
        self._laid_out_for = 0
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        # The marks carry the theme's colours: another theme, the rows again in its colours.
        if self._tests:
            self.show(self._tests)

    def on_resize(self) -> None:
        # Result text wraps to the table's width: a new width lays the rows out again.
        if self._tests and self.size.width != self._laid_out_for:
            self.show(self._tests)

    def _fit_columns(self) -> int:
        """Fixed column widths for this width; the result column's width."""
        width = self.size.width or 80
        name = min(self.NAME_WIDTH, max(12, width // 3))
        # Two cells of padding per column and a column for the scrollbar.
        result = max(10, width - 1 - name - 3 * 2 - 1)
        for key, cells in zip(self._columns, (1, name, result), strict=True):
            column = self.columns[key]
            column.auto_width = False
            column.width = cells
        self._laid_out_for = width
        return result

    def show(self, tests: list[TestResult]) -> None:
        """Replace the rows with these results; names and results wrap instead of being cut off."""
        self._tests = list(tests)
        self.clear()
        self._fit_columns()
        passed = theme_style(self.app, "success", bold=True)
        failed = theme_style(self.app, "error", bold=True)
        for index, test in enumerate(tests):
            if test.skipped:
                # Did not run here (no CUDA device): neither a tick nor a cross.
                mark = Text("–", style="dim")
                name = Text(test.name).append(" (skipped)", style="italic dim")
            elif test.optional:
                # A challenge check: not yet passing is an open goal, not a failure.
                mark = Text("✓", style=passed) if test.passed else Text("○", style="dim")
                name = Text(test.name).append(" (challenge)", style="italic dim")
            else:
                mark = Text("✓", style=passed) if test.passed else Text("✗", style=failed)
                name = Text(test.name)
            first = test.message.strip().splitlines()[0] if test.message.strip() else ""
            # height=None: as many lines as the wrapped name or result needs.
            self.add_row(mark, name, Text(first), key=str(index), height=None)
