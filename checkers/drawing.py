"""The drawing answer test: named vectors placed on a grid, written `a = [1, 2], b = [3, 0]`.

The drawing widget writes its tips in that form and a learner can type it (in the app or with
`tutor check`). Parsed with one regular expression per vector, never evaluated; integer grid
points only, since tips snap to the grid.
"""

from __future__ import annotations

import re
from typing import Any

from checkers.verdict import Verdict

MAX_TEXT = 200
_TIP = re.compile(
    r"\s*([A-Za-z])\s*(?:=|:)\s*[\[(⟨]\s*([−-]?\d+)\s*,\s*([−-]?\d+)\s*[\])⟩]\s*(?:,|;|$)"
)


class DrawingError(ValueError):
    """Text that is not a list of named grid points; the message says what to type."""


def parse_tips(text: str) -> dict[str, tuple[int, int]]:
    """`a = [1, 2], b = [3, 0]` → {"a": (1, 2), "b": (3, 0)}; DrawingError if unreadable."""
    if len(text) > MAX_TEXT:
        raise DrawingError(f"that is over {MAX_TEXT} characters; write each tip as a = [x, y]")
    tips: dict[str, tuple[int, int]] = {}
    position = 0
    stripped = text.strip()
    while position < len(stripped):
        match = _TIP.match(stripped, position)
        if match is None or match.end() == position:
            raise DrawingError(
                f"cannot read {stripped[position : position + 20]!r}: write each tip as a = [x, y] "
                "with whole numbers, e.g. a = [1, 2], b = [3, 0]"
            )
        name = match.group(1)
        if name in tips:
            raise DrawingError(f"{name} is placed twice")
        tips[name] = (_int(match.group(2)), _int(match.group(3)))
        position = match.end()
    if not tips:
        raise DrawingError("place the tips first (arrow keys), or type a = [x, y], b = [x, y]")
    return tips


def _int(text: str) -> int:
    return int(text.replace("−", "-"))


def tips_text(tips: dict[str, tuple[int, int]]) -> str:
    """The answer text for placed tips, in the order given."""
    return ", ".join(f"{name} = [{x}, {y}]" for name, (x, y) in tips.items())


def drawing_test(text: str, expected: Any, data: dict[str, Any], others: dict[str, str]) -> Verdict:
    """Every named vector's tip where the exercise puts it; feedback names the likely slip."""
    try:
        want = parse_tips(str(expected))
    except DrawingError as exc:  # trusted content: a broken reference is a content bug
        raise ValueError(f"the expected drawing {expected!r} cannot be read: {exc}") from exc
    try:
        got = parse_tips(text)
    except DrawingError as exc:
        return Verdict(False, str(exc), unreadable=True)
    read_as = tips_text(got)
    missing = [name for name in want if name not in got]
    if missing:
        return Verdict(False, f"draw {' and '.join(missing)} too", read_as)
    extra = [name for name in got if name not in want]
    if extra:
        return Verdict(
            False, f"only {', '.join(want)} belong in this drawing, not {', '.join(extra)}", read_as
        )
    wrong = [name for name in want if got[name] != want[name]]
    if not wrong:
        return Verdict(True, "", read_as)
    return Verdict(False, "; ".join(_slip(name, got, want) for name in wrong), read_as)


def _slip(name: str, got: dict[str, tuple[int, int]], want: dict[str, tuple[int, int]]) -> str:
    """Why one tip is off, in a learner's words."""
    (x, y), (wx, wy) = got[name], want[name]
    others = [other for other in want if other != name and got[name] == want[other]]
    if others:
        return f"{name}'s tip is where {others[0]}'s belongs: the names are swapped"
    if (x, y) == (wy, wx):
        return (
            f"{name} = [{wx}, {wy}] goes {wx} along the horizontal axis and {wy} up; "
            "its x and y are swapped"
        )
    if (x, y) == (-wx, -wy):
        return f"{name}'s tip points the opposite way: [{wx}, {wy}], not [{x}, {y}]"
    return f"{name}'s tip should be at [{wx}, {wy}], not [{x}, {y}]"
