"""Command palette entries: go to any section, exercise or lab; review; stats; themes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tutor.app import TutorApp
from tutor.settings import THEMES
from tutor.widgets.outline import kind_label


@dataclass(frozen=True)
class Entry:
    """One palette command: what it says, what it does, and a line of help."""

    text: str
    run: Callable[[], object]
    help: str
    discoverable: bool = False


def entries(app: TutorApp) -> list[Entry]:
    """Every command the tutor offers in the palette, in a stable order."""
    found: list[Entry] = [
        Entry("Start review", app.action_review, "Review the exercises that are due", True),
        Entry("Show stats", app.action_stats, "Progress and retention", True),
        Entry("Home", app.action_home, "Back to the chapter outline", True),
        Entry("Next theme", app.action_cycle_theme, "Cycle through the themes (F9)", True),
    ]
    for chapter in app.course.chapters:
        for section in chapter.sections:
            go = partial(app.open_item, section.id)
            found.append(Entry(f"Go to {section.id} {section.title}", go, section.summary, True))
        for item in [*chapter.exercises, *chapter.labs]:
            kind = "Code Lab" if kind_label(item) == "lab" else f"{kind_label(item)} exercise"
            go = partial(app.open_item, item.id)
            where = f"{kind}, section {item.section}"
            found.append(Entry(f"Open {item.id} {item.title}", go, where))
    for theme in THEMES:
        use = partial(app.set_theme, theme)
        found.append(Entry(f"Theme: {theme}", use, "Use this theme for the session"))
    return found


class TutorCommands(Provider):
    """The tutor's own palette commands."""

    @property
    def tutor(self) -> TutorApp:
        """The app, typed (the palette only ever opens in it)."""
        app = self.app
        assert isinstance(app, TutorApp), "the tutor's palette runs in the tutor"
        return app

    async def discover(self) -> Hits:
        for entry in entries(self.tutor):
            if entry.discoverable:
                yield DiscoveryHit(entry.text, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        titled: set[str] = set()
        for entry in entries(self.tutor):
            score = matcher.match(entry.text)
            if score > 0:
                shown = matcher.highlight(entry.text)
                titled.add(entry.text)
                yield Hit(score, shown, entry.run, text=entry.text, help=entry.help)
        if len(query.strip()) < 3:
            return
        # Sections by their words, not only their titles ("LoRA", "weight decay"), below title hits.
        from tutor.search import search

        app = self.tutor
        seen: set[str] = set()
        for match in search(app.course, query, limit=200):
            if match.section_id in seen:
                continue
            seen.add(match.section_id)
            text = f"Go to {match.section_id} {match.section_title}"
            if text in titled:
                continue
            go = partial(app.open_section_at, match.section_id, match.block)
            yield Hit(
                0.1, f"{text} (mentions {query.strip()!r})", go, text=text, help=match.snippet
            )
