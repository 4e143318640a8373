"""Text charts for the stats and review screens: activity heatmap, forecast bars, mastery bars."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from rich.text import Text
from textual.widgets import Static

SHADES = " ·░▒▓█"
"""Heatmap cells from no activity to the busiest day; shapes, not colours, so any theme reads."""
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def shade(count: int, busiest: int) -> str:
    """The heatmap cell for `count` attempts when the busiest day had `busiest`."""
    if count <= 0 or busiest <= 0:
        return SHADES[0] if count <= 0 else SHADES[-1]
    # Proportional to the busiest day, which always gets the darkest cell (even when it had one
    # attempt).
    level = max(1, math.ceil((len(SHADES) - 1) * count / busiest))
    return SHADES[min(level, len(SHADES) - 1)]


def heatmap_text(calendar: Mapping[str, int], today: date, weeks: int = 16) -> Text:
    """Seven rows (Monday to Sunday) by `weeks` columns ending with today's week."""
    last_monday = today - timedelta(days=today.weekday())
    first = last_monday - timedelta(weeks=weeks - 1)
    busiest = max(calendar.values(), default=0)
    text = Text()
    for weekday in range(7):
        text.append(f"{WEEKDAYS[weekday]:<4}", style="dim")
        for week in range(weeks):
            day = first + timedelta(weeks=week, days=weekday)
            if day > today:
                text.append("  ")
                continue
            cell = shade(calendar.get(day.isoformat(), 0), busiest)
            text.append(cell * 2, style="bold" if day == today else "")
        text.append("\n")
    text.append(
        f"    less {SHADES[1:]} more; busiest day {plural(busiest, 'attempt')}", style="dim"
    )
    return text


def bar(fraction: float, width: int) -> str:
    """A bar of `width` cells filled to `fraction`."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "·" * (width - filled)


def forecast_text(forecast: Sequence[tuple[str, int]], width: int = 30) -> Text:
    """One row per day: weekday, date, bar, count."""
    most = max((count for _, count in forecast), default=0)
    text = Text()
    for index, (day, count) in enumerate(forecast):
        when = date.fromisoformat(day)
        label = "today" if index == 0 else when.strftime("%a %d")
        text.append(f"{label:<7}", style="bold" if index == 0 else "")
        text.append(bar(count / most if most else 0.0, width))
        text.append(f" {count}\n")
    return text


def plural(count: int, noun: str) -> str:
    """`1 attempt`, `2 attempts`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def mastery_text(
    mastery: Mapping[str, float | None],
    titles: Mapping[str, str],
    width: int = 20,
    title_width: int = 36,
) -> Text:
    """One row per section: ID, bar of mean recall probability, percentage, title (cut to one line
    at 80 columns, so the rows stay aligned)."""
    text = Text()
    for section, value in mastery.items():
        text.append(f"§{section:<6}")
        if value is None:
            text.append(f"{'no exercises':<{width + 5}}", style="dim")
        else:
            text.append(bar(value, width))
            text.append(f" {value:>4.0%}")
        title = titles.get(section, "")
        if len(title) > title_width:
            title = title[: title_width - 1].rstrip() + "…"
        text.append(f"  {title}\n")
    return text


class ChartPanel(Static):
    """A titled, bordered block of text chart."""

    DEFAULT_CSS = """
    ChartPanel {
        border: round $primary;
        padding: 0 1;
        height: auto;
        margin: 0 0 1 0;
    }
    """

    def __init__(self, title: str, body: Text | str = "", *, id: str | None = None) -> None:
        super().__init__(body, id=id)
        self.border_title = title
