"""Help: every key of every screen, read from the screens' own bindings so it never drifts."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

# (heading, module, classes whose bindings apply there); other helpers' screens may be absent.
SCREENS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Home", "tutor.screens.home", ("HomeScreen",)),
    ("Reader", "tutor.screens.reader", ("ReaderScreen",)),
    ("Hand exercise", "tutor.screens.hand_exercise", ("HandExerciseScreen",)),
    ("Code exercise", "tutor.screens.code_exercise", ("CodeExerciseScreen",)),
    ("Code Lab", "tutor.screens.lab", ("LabScreen",)),
    ("Review", "tutor.screens.review", ("ReviewScreen",)),
    ("Stats", "tutor.screens.stats", ("StatsScreen",)),
    ("REPL", "tutor.screens.repl_screen", ("ReplScreen",)),
    ("REPL pane", "tutor.widgets.repl", ("Repl",)),
]

RULE = (
    "While an answer box or the editor has the cursor, every key you type is text, q and digits "
    "included. Commands there are ctrl keys and F-keys (ctrl+s check, ctrl+t hint, ctrl+q quit, "
    "F1 help); escape leaves the box, and only then do the plain letters in the footer act. "
    "Quitting saves what you typed: it is there when you come back."
)
"""The keyboard rule, shown first in help."""

LIST_KEYS = [
    ("↑/↓ j/k", "Move in a list (outline, contents, practice)"),
    ("g/G", "First / last entry of a list"),
    ("enter", "Open the highlighted entry"),
    ("tab", "Next part of the screen"),
]


def key_rows(
    app_key_display: Callable[[Binding], str],
    bindings: Iterable[BindingType],
    keymap: Mapping[str, str] | None = None,
    not_now: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(keys, description) per action, keys that share an action joined with '/'; a binding whose
    ID the keymap names shows the keymap's keys instead of its own, and an action `not_now` names
    (action name → why) says that it does not act now, and why."""
    rows: dict[str, tuple[list[str], str]] = {}
    for binding in Binding.make_bindings(bindings):
        if binding.system:
            continue
        # The tooltip is the longer wording; the footer's short label is the fallback.
        description = binding.tooltip or binding.description or binding.action.replace("_", " ")
        why = (not_now or {}).get(binding.action.partition("(")[0])
        if why:
            description = f"{description} (not now: {why})"
        keys, _ = rows.setdefault(binding.action, ([], description))
        remapped = (keymap or {}).get(binding.id or "")
        shown = [binding]
        if remapped:
            shown = [replace(binding, key=key, key_display=None) for key in remapped.split(",")]
        for one in shown:
            display = app_key_display(one)
            if display not in keys:
                keys.append(display)
    return [("/".join(keys), description) for keys, description in rows.values()]


class HelpScreen(Screen[None]):
    """Lists the keys of the screen it was opened from first, then all the others."""

    BINDINGS = [
        Binding("escape,b,question_mark", "close", "Close", key_display="esc", id="help-close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="help-down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="help-up"),
    ]

    def __init__(
        self,
        current: type[Screen[object]] | None = None,
        keymap: Mapping[str, str] | None = None,
        not_now: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.current = current
        self.keymap = dict(keymap or {})
        """The learner's remapped keys (binding ID → keys), shown instead of the defaults."""
        self.not_now = dict(not_now or {})
        """Actions of the screen help was opened from that its state stops now (name → why)."""

    def compose(self) -> ComposeResult:
        yield Static(Text("Keys", style="bold"), id="help-title")
        with VerticalScroll(id="help-body"):
            yield Static(Text(RULE), id="help-rule", classes="help-group")
            for heading, rows in self._groups():
                yield Static(self._table(heading, rows), classes="help-group")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def _groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        display = self.app.get_key_display
        everywhere = key_rows(display, self.app.BINDINGS, self.keymap)
        palette_key = self.app.COMMAND_PALETTE_BINDING.replace("ctrl+", "^")
        everywhere.append((palette_key, "Command palette: go to any section, exercise or lab"))
        groups: list[tuple[str, list[tuple[str, str]], bool]] = []
        for heading, module_name, class_names in SCREENS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            classes = [getattr(module, name) for name in class_names]
            here = self.current in classes
            not_now = self.not_now if here else None
            rows = [
                row
                for cls in classes
                for row in key_rows(display, cls.BINDINGS, self.keymap, not_now)
            ]
            groups.append((heading, rows, here))
        groups.sort(key=lambda group: not group[2])
        ordered = [
            (f"{heading} (this screen)" if here else heading, rows)
            for heading, rows, here in groups
        ]
        return [*ordered, ("Everywhere", everywhere), ("Lists", LIST_KEYS)]

    def _table(self, heading: str, rows: list[tuple[str, str]]) -> Table:
        table = Table(
            title=heading,
            title_justify="left",
            title_style="bold",
            show_header=False,
            box=None,
            expand=True,
        )
        table.add_column("key", style="bold", width=14, no_wrap=True)
        table.add_column("what it does", ratio=1)
        for keys, description in rows:
            table.add_row(keys, description)
        return table

    def action_close(self) -> None:
        """Back to where help was opened."""
        self.dismiss()

    def action_scroll(self, lines: int) -> None:
        """Scroll the list of keys."""
        # At once, not after the next refresh: each of several j's typed together moves a line.
        self.query_one("#help-body", VerticalScroll).scroll_relative(
            y=lines, animate=False, immediate=True
        )
