"""`tutor check ID`: grade typed answers (hand exercises) or a code file (code exercises, labs)."""

from __future__ import annotations

import argparse
import sys

from tutor.course.exercise_schema import HandExercise
from tutor.course.loader import ContentError, load_course
from tutor.course.schema import Section
from tutor.settings import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 correct, 1 incorrect, 2 could not grade."""
    try:
        course = load_course()
    except ContentError as exc:
        print(f"tutor check: the course data has problems:\n{exc}", file=sys.stderr)
        return 2
    try:
        chapter, item = course.find(args.id)
    except KeyError:
        print(f"tutor check: no exercise or lab is called {args.id!r}", file=sys.stderr)
        return 2
    if isinstance(item, Section):
        print(f"tutor check: {args.id} is a section; check an exercise or a lab", file=sys.stderr)
        return 2
    if args.variant < 0:
        print("tutor check: --variant must be 0 or more", file=sys.stderr)
        return 2
    if isinstance(item, HandExercise):
        from tutor.practice.hand import check_command

        return check_command(args, settings, chapter, item)
    from tutor.practice.code import check_command as check_code

    return check_code(args, settings, chapter, item)
