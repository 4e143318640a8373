"""Coloured text follows the theme: the REPL's errors and the test table's marks use its colours."""

from __future__ import annotations

from rich.color import Color as RichColor
from textual.app import App
from textual.color import Color

from tutor.widgets.themed import theme_style


async def test_roles_take_the_current_themes_colours() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        app.theme = "textual-dark"
        await pilot.pause()
        error = theme_style(app, "error", bold=True)
        assert (
            error.bold
            and error.color == Color.parse(app.get_css_variables()["text-error"]).rich_color
        )
        app.theme = "nord"
        await pilot.pause()
        assert theme_style(app, "error").color != error.color, "another theme, another red"
        app.theme = "ansi-dark"
        await pilot.pause()
        # The terminal's own palette: ANSI red, whatever shade the terminal gives it.
        assert theme_style(app, "error").color == RichColor.from_ansi(1)
        assert theme_style(app, "success").color == RichColor.from_ansi(2)
