"""Notices when the tutor's own files change under the running app (a reinstall, an update)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

Stamp = frozenset[tuple[str, int, int, int]] | None
"""A folder's files as (name, inode, size, modification time in ns), or None when it is gone.
Files, not the folder's own time: Python writing a `__pycache__` beside a module changes that."""

FILES_CHANGED = (
    "The tutor's own files changed while it was running (was it reinstalled or updated?), so it "
    "cannot go on safely. What you typed is saved. Quit and start it again: tutor start"
)


def package_roots() -> list[Path]:
    """The folders of the tutor's packages and the shipped course."""
    import checkers
    import content
    import progress
    import tutor

    return [
        Path(module.__file__).parent
        for module in (tutor, checkers, progress, content)
        if module.__file__ is not None
    ]


def _scan(folder: Path) -> tuple[Stamp, list[Path]]:
    """The folder's stamp and its sub-folders (caches aside)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None, []
    files: set[tuple[str, int, int, int]] = set()
    folders: list[Path] = []
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    folders.append(Path(entry.path))
                continue
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        files.add((entry.name, info.st_ino, info.st_size, info.st_mtime_ns))
    return frozenset(files), folders


@dataclass(frozen=True)
class InstallSnapshot:
    """The files of the tutor's folders when the app started."""

    stamps: dict[Path, Stamp]

    @classmethod
    def take(cls, roots: Iterable[Path], depth: int = 2) -> InstallSnapshot:
        """Stamp every folder under `roots`, `depth` levels down (about 150 `stat` calls)."""
        stamps: dict[Path, Stamp] = {}
        level = [Path(root) for root in roots]
        for _ in range(depth + 1):
            following: list[Path] = []
            for folder in level:
                stamps[folder], below = _scan(folder)
                following += below
            level = following
        return cls(stamps)

    def changed(self) -> list[Path]:
        """The folders that are gone or whose files were added, removed or rewritten since."""
        return [folder for folder, stamp in self.stamps.items() if _scan(folder)[0] != stamp]
