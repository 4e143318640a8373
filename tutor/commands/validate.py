"""`tutor validate [CONTENT_DIR]`: schema, cross-references, and every example, table row and
figure run; exit 1 on any problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.course.loader import ContentError, load_course
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.course.examples import ExampleResult


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Validate a content folder and report every problem found."""
    from tutor.course.examples import run_all_examples, run_all_figures, run_all_tables

    root = Path(args.content_dir) if args.content_dir else None
    try:
        course = load_course(root)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"tutor validate: {len(exc.problems)} problem(s) in the course data", file=sys.stderr)
        return 1
    groups = {
        "examples": run_all_examples(course),
        "table rows": run_all_tables(course),
        "figures": run_all_figures(course),
    }
    failed = [r for results in groups.values() for r in results if r.status == "failed"]
    for result in failed:
        print(f"FAIL {result.where}: {result.message}", file=sys.stderr)
    for results in groups.values():
        for result in results:
            if result.status == "skipped":
                print(f"skip {result.where}: {result.message}")
    from tutor.practice.hand import validate_chapter
    from tutor.practice.lab import validate_chapter as validate_code

    hand_problems = [p for chapter in course.chapters for p in validate_chapter(chapter)]
    hand_problems += [problem for chapter in course.chapters for problem in validate_code(chapter)]
    for problem in hand_problems:
        print(f"FAIL {problem}", file=sys.stderr)
    chapters = len(course.chapters)
    items = len(course.ids())
    counts = "; ".join(_count(name, results) for name, results in groups.items())
    print(f"{chapters} chapter(s), {items} items; {counts}")
    return 1 if failed or hand_problems else 0


def _count(name: str, results: list[ExampleResult]) -> str:
    """`12 examples: 11 ok, 1 failed, 0 skipped`."""
    statuses = ("ok", "failed", "skipped")
    by = {status: sum(r.status == status for r in results) for status in statuses}
    return f"{len(results)} {name}: {by['ok']} ok, {by['failed']} failed, {by['skipped']} skipped"
