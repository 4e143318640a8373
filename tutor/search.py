"""Find words in the text of a course: the reader's `/` search and the palette's section hits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.course.loader import Course
from tutor.course.schema import (
    Block,
    Callout,
    CodeExample,
    Definition,
    Figure,
    Formula,
    Prose,
    Section,
    Table,
)

SNIPPET = 60
"""Characters of context shown around a hit."""


@dataclass(frozen=True)
class Match:
    """Where a query was found: the section, the block (None: its title or summary), a snippet."""

    section_id: str
    section_title: str
    block: int | None
    snippet: str


def block_text(block: Block) -> str:
    """Everything a reader sees of a block, as plain text."""
    if isinstance(block, Prose):
        return block.text
    if isinstance(block, Definition):
        return f"{block.term}\n{block.text}"
    if isinstance(block, Formula):
        return "\n".join(part for part in (block.label, block.text, block.gloss) if part)
    if isinstance(block, Callout):
        return f"{block.title}\n{block.text}"
    if isinstance(block, CodeExample):
        return f"{block.title}\n{block.source}\n{block.output or ''}"
    if isinstance(block, Table):
        rows = ["  ".join(row) for row in block.rows]
        return "\n".join([block.title, "  ".join(block.columns), *rows])
    if isinstance(block, Figure):
        return f"{block.title}\n{block.caption}"
    return ""


def _snippet(text: str, start: int, end: int) -> str:
    """The hit with some words either side, on one line."""
    left = max(0, start - SNIPPET // 2)
    right = min(len(text), end + SNIPPET // 2)
    flat = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + flat + ("…" if right < len(text) else "")


def search(course: Course, query: str, limit: int = 50) -> list[Match]:
    """Every place the query's words occur together (case-insensitive, in reading order); a query
    of several words matches a block holding all of them."""
    words = [re.escape(word) for word in query.lower().split()]
    if not words:
        return []
    found: list[Match] = []
    for section in course.sections():
        for index, text in _texts(section):
            lower = text.lower()
            if all(re.search(word, lower) for word in words):
                # The snippet shows the words together where they are, else the first one.
                hit = re.search(r"\s+".join(words), lower) or re.search(words[0], lower)
                assert hit is not None
                found.append(Match(section.id, section.title, index, _snippet(text, *hit.span())))
                if len(found) >= limit:
                    return found
    return found


def _texts(section: Section) -> list[tuple[int | None, str]]:
    heading: list[tuple[int | None, str]] = [(None, f"{section.title}\n{section.summary}")]
    return heading + [(index, block_text(block)) for index, block in enumerate(section.blocks)]


def sections_mentioning(course: Course, query: str) -> dict[str, str]:
    """Section ID → a snippet of its first hit, for every section whose text holds the query."""
    found: dict[str, str] = {}
    for match in search(course, query, limit=500):
        found.setdefault(match.section_id, match.snippet)
    return found
