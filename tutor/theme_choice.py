"""The theme the learner picked in the app, kept in the data dir so the next start uses it."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tutor.settings import THEMES, Settings

FILE_NAME = "theme.json"


def chosen_theme(settings: Settings) -> str:
    """The theme to start with: the one picked in the app, unless the settings named another
    theme since (a later edit of the config file or TUTOR_THEME wins over an older pick)."""
    try:
        saved = json.loads((settings.data_dir / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return settings.theme
    if not isinstance(saved, dict) or saved.get("theme") not in THEMES:
        return settings.theme
    return str(saved["theme"]) if saved.get("settings") == settings.theme else settings.theme


def keep_theme(settings: Settings, theme: str) -> None:
    """Remember `theme` (picked over the settings' own) for the next start; atomic on disk."""
    folder = Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{FILE_NAME}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"theme": theme, "settings": settings.theme}, out)
        os.replace(temp, folder / FILE_NAME)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
