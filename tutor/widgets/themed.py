"""Rich styles in the current theme's colours, so log lines and marks follow the learner's theme."""

from __future__ import annotations

from typing import Any, Literal

from rich.style import Style
from textual.app import App
from textual.color import Color

Role = Literal["error", "warning", "success", "accent", "primary"]
"""What a piece of text means; the theme decides its colour."""

_VARIABLE: dict[Role, str] = {
    "error": "text-error",
    "warning": "text-warning",
    "success": "text-success",
    "accent": "accent",
    "primary": "primary",
}
_cache: dict[tuple[str, Role], Color] = {}


def theme_style(app: App[Any], role: Role, *, bold: bool = False) -> Style:
    """A Rich style with the colour the app's current theme gives `role` (ANSI themes stay ANSI)."""
    key = (app.theme, role)
    colour = _cache.get(key)
    if colour is None:
        # Computing the theme's variables costs ~9 ms: once per theme and role is enough.
        colour = _cache[key] = Color.parse(app.get_css_variables()[_VARIABLE[role]])
    return Style(color=colour.rich_color, bold=bold)
