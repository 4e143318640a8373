"""`tutor show ID`: print a section, exercise or lab without the app, or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import msgspec

from tutor.course.exercise_schema import CodeExercise, HandExercise, Lab
from tutor.course.loader import Chapter, ContentError, Course, load_course
from tutor.course.schema import Section
from tutor.settings import Settings


def describe(chapter: Chapter, item: Any, variant: int = 0) -> dict[str, Any]:
    """The JSON contract of DESIGN.md section 2 for an exercise or lab."""
    if isinstance(item, HandExercise):
        from tutor.practice.hand import make_instance

        instance = make_instance(chapter, item, variant)
        return {
            "id": item.id,
            "kind": "hand",
            "title": item.title,
            "section": item.section,
            "prompt": instance.prompt,
            "variant": variant,
            "params": instance.params,
            "parts": [
                {"name": part.name, "prompt": part.prompt, "policy": part.policy}
                for part in instance.parts
            ],
            "entry": [],
            "starter": "",
        }
    if isinstance(item, CodeExercise):
        kind = "code"
        entry = list(item.entry)
    else:
        kind = "lab"
        entry = list(item.entry)
    return {
        "id": item.id,
        "kind": kind,
        "title": item.title,
        "section": item.section,
        "prompt": item.statement,
        "variant": variant,
        "params": {},
        "parts": [],
        "entry": entry,
        "starter": item.starter,
    }


def _section_json(course: Course, section: Section) -> dict[str, Any]:
    chapter, _ = course.find(section.id)
    return {
        "id": section.id,
        "kind": "section",
        "title": section.title,
        "summary": section.summary,
        "blocks": msgspec.to_builtins(section.blocks),
        "items": [item.id for item in chapter.items_in(section.id)],
    }


def _numbered(entries: list[str]) -> Any:
    """`  1. text` rows whose wrapped lines stay under their text, not back at column 0."""
    from rich.table import Table

    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", no_wrap=True)
    table.add_column()
    for number, entry in enumerate(entries, start=1):
        table.add_row(f"  {number}.", entry)
    return table


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the item; exit 2 for an unknown ID or a bad variant."""
    try:
        course = load_course()
    except ContentError as exc:
        print(f"tutor show: the course data has problems:\n{exc}", file=sys.stderr)
        return 2
    try:
        chapter, item = course.find(args.id)
    except KeyError:
        print(
            f"tutor show: no section, exercise or lab is called {args.id!r}. "
            f"Try one of: {', '.join(course.ids()[:6])}, …",
            file=sys.stderr,
        )
        return 2
    if args.variant < 0:
        print("tutor show: --variant must be 0 or more", file=sys.stderr)
        return 2
    if isinstance(item, Section):
        if args.json:
            print(json.dumps(_section_json(course, item), ensure_ascii=False, indent=2))
            return 0
        from tutor.plain import print_rich
        from tutor.render import render_section

        print_rich(render_section(item))
        return 0
    data = describe(chapter, item, args.variant)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    from rich.markup import escape

    from tutor.plain import print_rich

    # Course text is printed through Rich markup for the bold title only: every piece of it is
    # escaped, or a prompt's "[x, y]" or "A = [[a,b],[c,d]]" would be eaten as a markup tag.
    where = f"(section {data['section']}, {data['kind']})"
    lines: list[Any] = [
        f"[bold]{escape(data['id'])}  {escape(data['title'])}[/]  {where}",
        escape(data["prompt"]),
    ]
    if data["parts"]:
        lines.append(_numbered([escape(part["prompt"]) for part in data["parts"]]))
    policies = {part["policy"] for part in data["parts"] if part.get("policy")}
    lines += [f"Numbers: {escape(policy)}." for policy in sorted(policies)]
    if isinstance(item, Lab):
        lines.append(
            _numbered(
                [f"[bold]{escape(step.title)}[/]: {escape(step.text)}" for step in item.steps]
            )
        )
    if data["entry"]:
        lines.append(f"Write: {escape(', '.join(data['entry']))}")
    if isinstance(item, Lab) and item.challenge_entry:
        lines.append(f"Optional challenge: {escape(', '.join(item.challenge_entry))}")
    if isinstance(item, Lab) and item.measure is not None and item.measure.inputs:
        from tutor.practice.lab import data_source

        lines.append(f"Data in use: {escape(data_source(chapter, item))}")
    print_rich(*lines)
    return 0
