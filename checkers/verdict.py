"""The result of checking one answer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """Right or wrong, with feedback in a learner's words and how the answer was read."""

    ok: bool
    feedback: str = ""
    read_as: str = ""
    unreadable: bool = False
    """The answer could not be read (or checked in time), so it was not really graded."""

    def __bool__(self) -> bool:
        return self.ok

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the checker worker sends verdicts over a pipe)."""
        return {
            "ok": self.ok,
            "feedback": self.feedback,
            "read_as": self.read_as,
            "unreadable": self.unreadable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Verdict:
        """Inverse of to_dict."""
        return cls(
            bool(data["ok"]),
            str(data.get("feedback", "")),
            str(data.get("read_as", "")),
            bool(data.get("unreadable", False)),
        )
