"""The practice item a command names (an exercise or a lab), or the reason it names none."""

from __future__ import annotations

import sys
from typing import Any

from tutor.course.loader import ContentError, Course, load_course
from tutor.course.schema import Section


def find_practice_item(command: str, item_id: str) -> tuple[Course, Any] | None:
    """The course and the exercise or lab `item_id`, or None after saying why on stderr."""
    try:
        course = load_course()
        _, item = course.find(item_id)
    except ContentError as exc:
        print(f"{command}: the course data has problems:\n{exc}", file=sys.stderr)
        return None
    except KeyError:
        print(f"{command}: no exercise or lab is called {item_id!r}", file=sys.stderr)
        return None
    if isinstance(item, Section):
        print(f"{command}: {item_id} is a section; give an exercise or a lab", file=sys.stderr)
        return None
    return course, item
