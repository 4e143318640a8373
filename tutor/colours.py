"""Colours by role for course blocks and figures: the 16 ANSI colours outside the app (`tutor
show`), the current Textual theme's colours inside it (`tutor.widgets.themed.theme_colours`).

No Textual here: the plain CLI uses `ANSI` and never imports the app.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pygments.token import Token
from rich.console import Console
from rich.style import Style
from rich.syntax import ANSISyntaxTheme, SyntaxTheme
from rich.theme import Theme

Role = Literal["primary", "secondary", "accent", "success", "warning", "error"]
"""What a colour means; a theme decides which colour it is."""

ANSI_ROLES: dict[int, Role] = {
    1: "error",  # red
    2: "success",  # green
    3: "warning",  # yellow
    4: "primary",  # blue
    5: "secondary",  # magenta
    6: "accent",  # cyan
}
"""The ANSI colour numbers figures are drawn with, and the role each stands for in a theme."""


@dataclass(frozen=True)
class Colours:
    """One colour per role, as Rich colour names (`#57a5e2`, `color(4)`, `blue`)."""

    key: str
    """What renderables are cached by: the theme's name, or `ansi` outside the app."""
    primary: str
    secondary: str
    accent: str
    success: str
    warning: str
    error: str
    themed: bool = True
    """False outside the app: Markdown and code then keep Rich's own ANSI colours."""
    muted: str = "dim"
    """The style of quiet lines (a formula's border): dim, which Textual blends towards the
    theme's background."""

    def colour(self, role: Role) -> str:
        """The colour of `role`."""
        colour: str = getattr(self, role)
        return colour

    def style(self, role: Role, attributes: str = "") -> Style:
        """A Rich style in the colour of `role`, with `attributes` such as `bold`."""
        return Style.parse(f"{attributes} {self.colour(role)}".strip())

    def for_ansi(self, number: int) -> str | None:
        """The colour that ANSI colour `number` (0-15) stands for, None when no role has it."""
        role = ANSI_ROLES.get(number % 8) if number < 16 else None
        return None if role is None else self.colour(role)

    @cached_property
    def code_theme(self) -> str | SyntaxTheme:
        """Python's colours: the theme's roles in the app, Rich's ANSI theme outside it."""
        if not self.themed:
            return "ansi_dark"
        return ANSISyntaxTheme(
            {
                Token.Comment: Style(dim=True, italic=True),
                Token.Error: self.style("error"),
                Token.Keyword: self.style("accent"),
                Token.Keyword.Constant: self.style("success", "bold"),
                Token.Keyword.Namespace: self.style("secondary"),
                Token.Name.Builtin: self.style("accent"),
                Token.Name.Function: self.style("warning"),
                Token.Name.Class: self.style("warning", "bold"),
                Token.Name.Decorator: self.style("primary", "bold"),
                Token.Literal.Number: self.style("warning"),
                Token.Literal.String: self.style("success"),
                Token.Literal.String.Doc: self.style("success", "italic"),
                Token.Operator.Word: self.style("accent", "bold"),
            }
        )

    @cached_property
    def console(self) -> Console | None:
        """A console whose Markdown styles (inline code, headings, lists, links) are the theme's,
        to render blocks with; None outside the app, where Rich's own styles stay. Its own
        console, not the app's: pushing a theme on the app's console from a worker thread would
        change what the app paints meanwhile."""
        if not self.themed:
            return None
        styles = {
            "markdown.code": self.style("accent", "bold"),
            "markdown.code_block": Style(),
            "markdown.block_quote": self.style("secondary"),
            "markdown.list": self.style("accent"),
            "markdown.item.bullet": self.style("warning", "bold"),
            "markdown.item.number": self.style("accent"),
            "markdown.h1": Style(bold=True),
            "markdown.h2": self.style("primary", "bold underline"),
            "markdown.h3": self.style("primary", "bold"),
            "markdown.h4": self.style("primary", "italic"),
            "markdown.hr": Style(dim=True),
            "markdown.link": self.style("primary"),
            "markdown.link_url": self.style("primary", "underline"),
            "markdown.table.border": Style(dim=True),
            "markdown.table.header": self.style("accent", "bold"),
            "markdown.kbd": self.style("warning", "bold"),
        }
        return Console(
            file=io.StringIO(), theme=Theme(styles), force_terminal=True, color_system="truecolor"
        )


ANSI = Colours(
    "ansi",
    primary="blue",
    secondary="magenta",
    accent="cyan",
    success="green",
    warning="yellow",
    error="red",
    themed=False,
    muted="bright_black",
)
"""Outside the app: the terminal's own ANSI colours, which NO_COLOR and pipes drop."""
