"""Rich styles in the current theme's colours, so log lines, marks and course blocks follow the
learner's theme."""

from __future__ import annotations

from typing import Any, Literal

from rich.style import Style
from textual.app import App
from textual.color import Color

from tutor.colours import Colours

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
_colours: dict[str, Colours] = {}


def theme_style(app: App[Any], role: Role, *, bold: bool = False) -> Style:
    """A Rich style with the colour the app's current theme gives `role` (ANSI themes stay ANSI)."""
    key = (app.theme, role)
    colour = _cache.get(key)
    if colour is None:
        # Computing the theme's variables costs ~9 ms: once per theme and role is enough.
        colour = _cache[key] = Color.parse(app.get_css_variables()[_VARIABLE[role]])
    return Style(color=colour.rich_color, bold=bold)


def theme_colours(app: App[Any]) -> Colours:
    """Every role's colour in the app's current theme (its `$text-…` variables, which the theme
    keeps readable on its background; ANSI themes stay ANSI), for renderables built ahead of
    time."""
    name = app.theme
    colours = _colours.get(name)
    if colours is None:
        variables = app.get_css_variables()

        def pick(role: str) -> str:
            return Color.parse(variables[f"text-{role}"]).rich_color.name

        colours = _colours[name] = Colours(
            name,
            primary=pick("primary"),
            secondary=pick("secondary"),
            accent=pick("accent"),
            success=pick("success"),
            warning=pick("warning"),
            error=pick("error"),
        )
    return colours
