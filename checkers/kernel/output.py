"""Capping and sanitising the kernel's output before anything renders it."""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P|X|^|_ ... ST),
# other ESC x,
# and the 8-bit C1 forms: all of them can retitle, clear or write the clipboard of the terminal.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x80-\x9f]"
)
# C0 controls but newline and tab; and the Unicode bidi controls, which reorder what follows on the
# line (U+202E could show "Correct" over the real verdict, as in Trojan Source).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: str) -> str:
    """Drop terminal escape sequences and control characters; keep newlines and tabs."""
    text = text.replace("\r\n", "\n")
    text = _ESCAPES.sub("", text)
    text = text.replace("\r", "\n")
    return _CONTROLS.sub("", text)


class StreamBuffer:
    """Keeps the first `limit` bytes of a stream and counts everything that arrived."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        """Append a chunk, keeping at most `limit` bytes."""
        self.total += len(data)
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept += data[:room]

    def text(self) -> str:
        """The kept bytes decoded and sanitised, with a note when output was dropped."""
        text = sanitize(bytes(self.kept).decode("utf-8", errors="replace"))
        if self.total > len(self.kept):
            dropped = self.total - len(self.kept)
            text += f"\n[output truncated: {dropped} more bytes not shown]\n"
        return text
