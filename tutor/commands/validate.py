"""`tutor validate [CONTENT_DIR]`: schema, cross-references and every example run; exit 1 on any problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tutor.course.loader import ContentError, load_course
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Validate a content folder and report every problem found."""
    from tutor.course.examples import run_all_examples

    root = Path(args.content_dir) if args.content_dir else None
    try:
        course = load_course(root)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"tutor validate: {len(exc.problems)} problem(s) in the course data", file=sys.stderr)
        return 1
    results = run_all_examples(course)
    failed = [r for r in results if r.status == "failed"]
    skipped = [r for r in results if r.status == "skipped"]
    for result in failed:
        print(f"FAIL {result.where}: {result.message}", file=sys.stderr)
    for result in skipped:
        print(f"skip {result.where}: {result.message}")
    from tutor.practice.hand import validate_chapter

    from tutor.practice.lab import validate_chapter as validate_code

    hand_problems = [problem for chapter in course.chapters for problem in validate_chapter(chapter)]
    hand_problems += [problem for chapter in course.chapters for problem in validate_code(chapter)]
    for problem in hand_problems:
        print(f"FAIL {problem}", file=sys.stderr)
    chapters = len(course.chapters)
    items = len(course.ids())
    print(
        f"{chapters} chapter(s), {items} items; {len(results)} examples: "
        f"{len(results) - len(failed) - len(skipped)} ok, {len(failed)} failed, {len(skipped)} skipped"
    )
    return 1 if failed or hand_problems else 0
