"""Export the review log as JSON lines and merge such a file back in (by UUID, idempotent)."""

from __future__ import annotations

import json
import os
import tempfile
import uuid as uuid_module
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from progress.clock import ClockError, parse_instant
from progress.entry import LogEntry
from progress.store import Store

KINDS = ("attempt", "override", "undo")
_INT_FIELDS = ("utc_offset_min", "variant", "rating", "hints_used", "attempts", "duration_ms")
_BOOL_FIELDS = ("correct", "gave_up")
_FIELDS = {"uuid", "kind", "item_id", "at", "target", *_INT_FIELDS, *_BOOL_FIELDS}


class LogFormatError(ValueError):
    """A line of an import file that cannot be used; the message names the file and the line."""


def entry_to_dict(entry: LogEntry) -> dict[str, Any]:
    """One JSON-lines record; times are ISO 8601 UTC."""
    return {
        "uuid": entry.uuid,
        "kind": entry.kind,
        "item_id": entry.item_id,
        "at": entry.at.isoformat(),
        "utc_offset_min": entry.utc_offset_min,
        "variant": entry.variant,
        "correct": entry.correct,
        "rating": entry.rating,
        "hints_used": entry.hints_used,
        "attempts": entry.attempts,
        "duration_ms": entry.duration_ms,
        "gave_up": entry.gave_up,
        "target": entry.target,
    }


def entry_from_dict(record: Any) -> LogEntry:
    """Validate one record; ValueError says which field is wrong."""
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    unknown = sorted(set(record) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}")
    for name in ("uuid", "kind", "item_id", "at"):
        if not isinstance(record.get(name), str) or not record[name]:
            raise ValueError(f"field {name!r} must be a non-empty string")
    try:
        uuid_module.UUID(record["uuid"])
    except ValueError:
        raise ValueError(f"uuid {record['uuid']!r} is not a UUID") from None
    if record["kind"] not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {record['kind']!r}")
    try:
        at = parse_instant(record["at"], "at")
    except ClockError as exc:
        raise ValueError(str(exc)) from None
    values: dict[str, Any] = {}
    for name in _INT_FIELDS:
        value = record.get(name, 1 if name == "attempts" else 0)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"field {name!r} must be a whole number")
        values[name] = value
    for name in _BOOL_FIELDS:
        value = record.get(name, False)
        if not isinstance(value, bool):
            raise ValueError(f"field {name!r} must be true or false")
        values[name] = value
    target = record.get("target", "")
    if not isinstance(target, str):
        raise ValueError("field 'target' must be a string")
    if record["kind"] in ("attempt", "override") and values["rating"] not in (1, 2, 3, 4):
        raise ValueError(f"rating must be 1 to 4, not {values['rating']}")
    if record["kind"] in ("override", "undo") and not target:
        raise ValueError(f"a {record['kind']} needs the 'target' UUID of its attempt")
    return LogEntry(uuid=record["uuid"], kind=record["kind"], item_id=record["item_id"], at=at, target=target, **values)


def export_log(store: Store, path: Path) -> int:
    """Write every log row to `path` as JSON lines (atomically); returns the row count."""
    entries = store.entries()
    path = Path(path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            write_entries(entries, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return len(entries)


def write_entries(entries: Sequence[LogEntry], out: TextIO) -> None:
    """Write log rows to an open text stream as JSON lines (a file, or standard output for `-`)."""
    for entry in entries:
        out.write(json.dumps(entry_to_dict(entry), separators=(",", ":")) + "\n")


def read_log(path: Path) -> list[LogEntry]:
    """Parse a whole JSON-lines file; the first bad line raises LogFormatError naming it."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise LogFormatError(f"{path}: cannot read: {reason}") from None
    return parse_log(text, str(path))


def parse_log(text: str, source: str) -> list[LogEntry]:
    """Parse JSON lines read from `source` (a file or `<stdin>`); errors name it and the line."""
    entries: list[LogEntry] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = entry_from_dict(json.loads(line))
        except json.JSONDecodeError as exc:
            raise LogFormatError(f"{source}:{number}: not valid JSON ({exc.msg})") from None
        except ValueError as exc:
            raise LogFormatError(f"{source}:{number}: {exc}") from None
        if entry.uuid in seen:
            first = entries[seen[entry.uuid]]
            if first != entry:
                raise LogFormatError(
                    f"{source}:{number}: uuid {entry.uuid} appears twice with different content"
                )
            continue
        seen[entry.uuid] = len(entries)
        entries.append(entry)
    return entries


def import_log(store: Store, path: Path) -> tuple[int, int]:
    """Merge a JSON-lines log into the store in one transaction; (rows added, rows in file)."""
    return import_entries(store, read_log(path))


def import_entries(store: Store, entries: Sequence[LogEntry]) -> tuple[int, int]:
    """Merge parsed log rows into the store in one transaction; (rows added, rows given)."""
    return store.import_entries(list(entries)), len(entries)
