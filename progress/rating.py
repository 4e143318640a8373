"""The four ratings of a showing, as FSRS numbers them, with the names learners see."""

from __future__ import annotations

from enum import IntEnum


class Rating(IntEnum):
    """How well a showing went, numbered as `fsrs.Rating` is, so either converts to the other."""

    Again = 1
    """Wrong and never right, or gave up."""
    Hard = 2
    """Right after hints or several tries."""
    Good = 3
    """Right."""
    Easy = 4
    """Right at the first try, well under the exercise's par time."""

    @property
    def label(self) -> str:
        """The name shown to the learner ("Again", "Hard", "Good", "Easy")."""
        return self.name

    @classmethod
    def parse(cls, value: int | str) -> Rating:
        """A rating from its number (1-4) or its name in any case; ValueError names the choices."""
        if isinstance(value, str) and not value.strip().isdigit():
            for rating in cls:
                if rating.name.lower() == value.strip().lower():
                    return rating
        else:
            number = int(value)
            if number in cls._value2member_map_:
                return cls(number)
        raise ValueError(f"a rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy), not {value!r}")
