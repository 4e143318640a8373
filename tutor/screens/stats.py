"""Progress figures: activity heatmap, 14-day forecast, true retention and mastery per section."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from tutor.screens.base import TutorScreen
from tutor.widgets.stats import ChartPanel, forecast_text, heatmap_text, mastery_text, plural

if TYPE_CHECKING:
    from progress.stats import Stats


class StatsScreen(TutorScreen[None]):
    """Computed in a worker, so a long log never blocks the keyboard."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="stats-back"),
        Binding(
            "o",
            "optimize",
            "Fit FSRS",
            id="stats-optimize",
            tooltip="Fit scheduling to your own log",
        ),
    ]
    DEFAULT_CSS = """
    StatsScreen #stats-title { padding: 0 1; background: $boost; color: $text; text-style: bold; }
    StatsScreen #stats-summary { padding: 1 1 0 1; height: auto; }
    StatsScreen VerticalScroll { padding: 0 1; }
    """

    class Loaded(Message):
        """The figures are ready."""

        def __init__(self, stats: Stats) -> None:
            super().__init__()
            self.stats = stats

    class Optimized(Message):
        """The optimizer finished (or explained why it could not run)."""

        def __init__(self, message: str, ok: bool) -> None:
            super().__init__()
            self.message = message
            self.ok = ok

    def compose(self) -> ComposeResult:
        yield Static("Progress", id="stats-title")
        yield Static("Counting…", id="stats-summary")
        with VerticalScroll():
            yield ChartPanel("Activity", id="stats-heatmap")
            yield ChartPanel("Due in the next 14 days", id="stats-forecast")
            yield ChartPanel("Mastery per section (mean chance of recall now)", id="stats-mastery")
            yield ChartPanel("Leeches", id="stats-leeches")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def load(self) -> None:
        """Replay the log off the UI thread."""
        self.post_message(self.Loaded(self.session.stats()))

    def on_stats_screen_loaded(self, message: StatsScreen.Loaded) -> None:
        stats = message.stats
        self.query_one("#stats-summary", Static).update(summary_text(stats))
        self.query_one("#stats-heatmap", ChartPanel).update(
            heatmap_text(stats.calendar, date.fromisoformat(stats.today))
        )
        self.query_one("#stats-forecast", ChartPanel).update(forecast_text(stats.forecast))
        titles = {section.id: section.title for section in self.session.course.sections()}
        self.query_one("#stats-mastery", ChartPanel).update(mastery_text(stats.mastery, titles))
        leeches = self.query_one("#stats-leeches", ChartPanel)
        leeches.display = bool(stats.leeches)
        if stats.leeches:
            leeches.update(self._leech_text(stats.leeches))

    def _leech_text(self, leeches: list[str]) -> Text:
        text = Text()
        for item_id in leeches:
            try:
                _, item = self.session.course.find(item_id)
                section = getattr(item, "section", "")
            except KeyError:
                section = ""
            text.append(
                f"{item_id} (§{section}): lapsed 8+ times; study its worked solution, "
                "then a fresh variant\n"
            )
        return text

    def action_close(self) -> None:
        """Back to where the learner came from."""
        self.dismiss(None)

    def action_optimize(self) -> None:
        """Fit the FSRS parameters to this learner's log (needs 512+ reviews a day apart)."""
        self.notify("Fitting FSRS parameters…")
        self.optimize()

    @work(thread=True, exclusive=True, exit_on_error=False, group="optimize")
    def optimize(self) -> None:
        problem = self.session.optimize()
        if problem is not None:
            self.post_message(self.Optimized(problem, False))
            return
        self.post_message(
            self.Optimized("Scheduling now fits your own log; every card was rescheduled.", True)
        )

    def on_stats_screen_optimized(self, message: StatsScreen.Optimized) -> None:
        self.notify(message.message, severity="information" if message.ok else "warning", timeout=8)
        if message.ok:
            self.load()


def summary_text(stats: Stats) -> Text:
    """The headline figures."""
    text = Text()
    text.append(plural(stats.attempts, "attempt"), style="bold")
    text.append(
        f" ({stats.correct} right) on {plural(stats.items_seen, 'item')} · "
        f"{stats.total_seconds / 60:.0f} min\n"
    )
    if stats.true_retention is None:
        text.append("True retention: not yet measured (needs reviews of learned items)\n")
    else:
        text.append(
            f"True retention: {stats.true_retention:.0%} over {stats.retention_sample} reviews "
            f"(target {stats.desired_retention:.0%})\n"
        )
    text.append(
        f"Streak: {plural(stats.streak_days, 'day')} · due now: {stats.due_now} · "
        f"practice ahead: {stats.practice_ahead}"
    )
    return text
