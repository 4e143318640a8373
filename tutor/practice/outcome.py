"""What an exercise screen or `tutor check` hands to the progress store, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from progress.rating import Rating


@dataclass(frozen=True)
class Attempt:
    """One graded attempt at an exercise or lab, as the learner made it."""

    item_id: str
    variant: int
    correct: bool
    duration_s: float
    """Seconds from showing the exercise to this submission."""
    par_seconds: int
    """The exercise's par time: right, first try and well under it rates Easy."""
    hints_used: int = 0
    attempts: int = 1
    """How many submissions this one is, counting from 1, for this showing of the exercise."""
    gave_up: bool = False
    showing: str = ""
    """The UUID of the showing (the screen's presentation of the item); "" joins or starts one."""


@dataclass(frozen=True)
class Recorded:
    """The attempt as committed: its log row, the rating the grade implies and the next due time."""

    uuid: str
    rating: Rating
    """How the showing went: Again, Hard, Good or Easy."""
    due: datetime
    interval_text: str
    """The next interval in words, e.g. "in 3 days"."""
    counted: bool = True
    """False for practice ahead of schedule: logged, but the schedule did not change."""
    leech: bool = False
    """The item has lapsed 8 times or more: suggest its worked solution and a fresh variant."""
    showing: str = ""
    """The UUID of the showing this attempt belongs to."""
    attempt_number: int = 1
    """Which submission of its showing this is, from 1."""
    was_due: bool = True
    """Whether the item was due when the showing began."""
    lapse: bool = False
    """The showing failed an item already learned."""
    schedule_text: str = ""
    """Whether the schedule changed and when the item is next due, in words."""


class Skipped:
    """What an exercise screen in a review session leaves with when the learner skips the item."""

    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED = Skipped()
"""The one `Skipped` value: the item stays due and the session moves on."""


@dataclass(frozen=True)
class Paused:
    """What an exercise screen in a review leaves with on escape: the session pauses there."""

    recorded: Recorded | None = None
    """The item's last recorded attempt, if any: it counts, and enter then goes on to the next."""
