"""Plain-text output of the CLI: learner text made safe to print, Rich output without padding."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import RenderableType

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters except tab and newline: an ESC or CR from a learner's answer or
program would otherwise move the cursor, recolour or rewrite the terminal that shows it."""

_PADDED_END = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$")
"""The end of a line made of blanks and colour codes only: Rich pads to the console's width."""


def escape_controls(text: str) -> str:
    """`text` with each control character (tab and newline aside) written as a visible `\\xNN`."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def strip_line_ends(text: str) -> str:
    """Each line without trailing blanks; colour codes at its end stay, blanks among them go."""
    return "\n".join(
        _PADDED_END.sub(lambda match: match.group().replace(" ", "").replace("\t", ""), line)
        for line in text.split("\n")
    )


def print_rich(*renderables: RenderableType, file: TextIO | None = None) -> None:
    """Print Rich renderables as `Console.print` does (colours on a terminal), minus padding."""
    from rich.console import Console

    out = file if file is not None else sys.stdout
    console = Console(file=out)
    with console.capture() as capture:
        for renderable in renderables:
            console.print(renderable)
    out.write(strip_line_ends(capture.get()))
