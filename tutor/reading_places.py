"""Where the learner stopped in each section, kept in the data dir so a section reopens there."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tutor.settings import Settings

FILE_NAME = "reading.json"

Place = tuple[int, float]
"""The first block on screen (by index in the section) and how many lines of it were above."""


def load_places(settings: Settings) -> dict[str, Place]:
    """Section ID → place, as last saved; nothing when the file is missing or unreadable."""
    try:
        raw = json.loads((Path(settings.data_dir) / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    places: dict[str, Place] = {}
    for section_id, place in raw.items():
        if (
            isinstance(section_id, str)
            and isinstance(place, list)
            and len(place) == 2
            and isinstance(place[0], int)
            and isinstance(place[1], (int, float))
        ):
            places[section_id] = (place[0], float(place[1]))
    return places


def save_places(settings: Settings, places: dict[str, Place]) -> None:
    """Write every place (atomically: a crash leaves the old file or the new one)."""
    folder = Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{FILE_NAME}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({key: list(value) for key, value in places.items()}, out)
        os.replace(temp, folder / FILE_NAME)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
