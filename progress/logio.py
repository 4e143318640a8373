"""Export the review log as JSON lines and merge such a file back in (by UUID, idempotent).

An export starts with a version line, `{"format": "la4ml-tutor-log", "version": 3}`; files without
one are version 1 (before showings and time zones). Version 3 adds mark changes after the log rows:
`{"uuid", "kind": "suspend" | "unsuspend" | "add-lab" | "remove-lab", "item_id", "at",
"utc_offset_min", "tz"}`, so suspensions and labs added to the reviews travel too. Import is a gate:
every line is checked (times, offsets, bounded numbers, known items, labs for lab changes,
canonical UUIDs, no override or undo of a missing attempt) before anything is written, and the
first bad line is named as `file:line: why`.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid as uuid_module
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from progress import clock
from progress.clock import ClockError, parse_instant
from progress.days import named_zone
from progress.entry import EARLIEST, LogEntry
from progress.marks import MARK_KINDS, MarkEntry
from progress.store import ImportConflict, Store

FORMAT = "la4ml-tutor-log"
VERSION = 3
"""3: mark changes too. 2: attempts carry their showing, IANA zone and par time. 1: without them."""
KINDS = ("attempt", "override", "undo")
MARK_FIELDS = {"uuid", "kind", "item_id", "at", "utc_offset_min", "tz"}
MAX_ITEM_ID = 64
BOUNDS: dict[str, tuple[int, int]] = {
    "utc_offset_min": (-14 * 60, 14 * 60),
    "variant": (0, 1_000_000),
    "rating": (0, 4),
    "hints_used": (0, 1_000),
    "attempts": (1, 1_000),
    "duration_ms": (0, 7 * 86_400_000),
    "par_s": (0, 86_400),
}
"""Whole-number fields and the ranges a real log stays within."""
_BOOL_FIELDS = ("correct", "gave_up")
_UUID_FIELDS = ("target", "showing")
_V1_FIELDS = {"uuid", "kind", "item_id", "at", "target", *BOUNDS, *_BOOL_FIELDS} - {"par_s"}
_FIELDS = {*_V1_FIELDS, "par_s", "showing", "tz"}


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
        "tz": entry.tz,
        "variant": entry.variant,
        "correct": entry.correct,
        "rating": entry.rating,
        "hints_used": entry.hints_used,
        "attempts": entry.attempts,
        "duration_ms": entry.duration_ms,
        "gave_up": entry.gave_up,
        "target": entry.target,
        "showing": entry.showing,
        "par_s": entry.par_s,
    }


def mark_to_dict(entry: MarkEntry) -> dict[str, Any]:
    """One JSON-lines record of a mark change; the time is ISO 8601 UTC."""
    return {
        "uuid": entry.uuid,
        "kind": entry.kind,
        "item_id": entry.item_id,
        "at": entry.at.isoformat(),
        "utc_offset_min": entry.utc_offset_min,
        "tz": entry.tz,
    }


def _canonical_uuid(value: str, name: str) -> None:
    try:
        parsed = uuid_module.UUID(value)
    except ValueError:
        raise ValueError(f"{name} {value[:60]!r} is not a UUID") from None
    if str(parsed) != value:
        raise ValueError(f"{name} {value[:60]!r} is not written canonically (expected {parsed})")


def _instant(text: str, latest: datetime) -> datetime:
    """The `at` field: ISO 8601 with an offset within ±14 h, between 2000-01-01 and `latest`."""
    if len(text) > 64:
        raise ValueError("at: too long to be an ISO 8601 time")
    try:
        at = parse_instant(text, "at")
        offset = datetime.fromisoformat(text.replace("Z", "+00:00")).utcoffset()
    except (ClockError, ValueError, OverflowError) as exc:
        if isinstance(exc, ClockError):
            raise ValueError(str(exc)) from None
        raise ValueError(f"at: {text!r} is not a usable time") from None
    if offset is not None and abs(offset) > timedelta(hours=14):
        raise ValueError(f"at: the UTC offset of {text!r} is beyond ±14 hours")
    if at < EARLIEST:
        raise ValueError(f"at: {text!r} is before {EARLIEST.date()}; no tutor log is that old")
    if at > latest:
        raise ValueError(f"at: {text!r} is in the future (more than a day from now)")
    return at


def _zone(record: dict[str, Any]) -> str:
    zone = record.get("tz", "")
    if not isinstance(zone, str) or (zone and (len(zone) > 64 or named_zone(zone) is None)):
        raise ValueError(f"tz {str(zone)[:64]!r} is not an IANA time zone this machine knows")
    return zone


def entry_from_dict(
    record: Any,
    version: int = VERSION,
    known_items: Collection[str] | None = None,
    latest: datetime | None = None,
    labs: Collection[str] | None = None,
) -> LogEntry | MarkEntry:
    """Validate one record (a log row or, from version 3, a mark change); ValueError says which
    field is wrong and why."""
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    for name in ("uuid", "kind", "item_id", "at"):
        if not isinstance(record.get(name), str) or not record[name]:
            raise ValueError(f"field {name!r} must be a non-empty string")
    kinds = KINDS + tuple(MARK_KINDS) if version >= 3 else KINDS
    kind = record["kind"]
    if kind not in kinds:
        raise ValueError(f"kind must be one of {', '.join(kinds)}, not {kind[:20]!r}")
    mark = kind in MARK_KINDS
    allowed = MARK_FIELDS if mark else _FIELDS if version >= 2 else _V1_FIELDS
    unknown = sorted(set(record) - allowed)
    if unknown:
        what = f" in a {kind} line" if mark else ""
        raise ValueError(f"unknown field {unknown[0][:40]!r}{what}")
    _canonical_uuid(record["uuid"], "uuid")
    item_id = record["item_id"]
    if len(item_id) > MAX_ITEM_ID or not item_id.isprintable():
        raise ValueError(f"item_id {item_id[:40]!r} is not an exercise or lab ID")
    if known_items is not None and item_id not in known_items:
        raise ValueError(f"unknown item {item_id!r}: this course has no exercise or lab by that ID")
    if mark and MARK_KINDS[kind][0] == "added" and labs is not None and item_id not in labs:
        raise ValueError(f"{kind} is for labs, and {item_id} is an exercise")
    at = _instant(record["at"], latest or clock.now() + timedelta(days=1))
    if mark:
        low, high = BOUNDS["utc_offset_min"]
        offset = record.get("utc_offset_min", 0)
        if isinstance(offset, bool) or not isinstance(offset, int) or not low <= offset <= high:
            raise ValueError(
                f"field 'utc_offset_min' must be a whole number between {low} and {high}"
            )
        return MarkEntry(record["uuid"], kind, item_id, at, offset, _zone(record))
    values: dict[str, Any] = {}
    for name, (low, high) in BOUNDS.items():
        value = record.get(name, 1 if name == "attempts" else 0)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"field {name!r} must be a whole number")
        if name == "rating" and kind != "undo" and value not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1 to 4, not {_short(value)}")
        if not low <= value <= high:
            raise ValueError(
                f"field {name!r} must be between {low} and {high}, not {_short(value)}"
            )
        values[name] = value
    for name in _BOOL_FIELDS:
        value = record.get(name, False)
        if not isinstance(value, bool):
            raise ValueError(f"field {name!r} must be true or false")
        values[name] = value
    for name in _UUID_FIELDS:
        value = record.get(name, "")
        if not isinstance(value, str):
            raise ValueError(f"field {name!r} must be a string")
        if value:
            _canonical_uuid(value, name)
        values[name] = value
    zone = _zone(record)
    if kind in ("override", "undo") and not values["target"]:
        raise ValueError(f"a {kind} needs the 'target' UUID of its attempt")
    if kind == "attempt" and values["target"]:
        raise ValueError("an attempt has no 'target'")
    return LogEntry(uuid=record["uuid"], kind=kind, item_id=item_id, at=at, tz=zone, **values)


def _short(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"a number of {len(text)} digits"


def export_log(store: Store, path: Path) -> int:
    """Write the version line, every log row and every mark change to `path` as JSON lines
    (atomically); the number of rows written."""
    entries = store.entries()
    marks = store.mark_entries()
    path = Path(path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            write_entries(entries, out, marks)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return len(entries) + len(marks)


def write_entries(
    entries: Sequence[LogEntry], out: TextIO, marks: Sequence[MarkEntry] = ()
) -> None:
    """Write the version line, the log rows, then the mark changes, to an open text stream (a file,
    or stdout for `-`)."""
    out.write(json.dumps({"format": FORMAT, "version": VERSION}) + "\n")
    for entry in entries:
        out.write(json.dumps(entry_to_dict(entry), separators=(",", ":")) + "\n")
    for mark in marks:
        out.write(json.dumps(mark_to_dict(mark), separators=(",", ":")) + "\n")


@dataclass(frozen=True)
class ParsedLog:
    """A checked import file: its entries, its mark changes and the line each came from."""

    source: str
    entries: list[LogEntry]
    lines: dict[str, int]
    """Entry (or mark change) UUID → its line number in `source`."""
    marks: list[MarkEntry] = field(default_factory=list)

    def __len__(self) -> int:
        """Rows in the file: log entries and mark changes."""
        return len(self.entries) + len(self.marks)


def _version(first: Any) -> int | None:
    """The version a first line declares, or None when it is a log entry (a version-1 file)."""
    if not isinstance(first, dict) or "format" not in first:
        return None
    if first.get("format") != FORMAT or set(first) != {"format", "version"}:
        raise ValueError(
            f'not a tutor log (the version line should be {{"format": "{FORMAT}", ...}})'
        )
    version = first["version"]
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        raise ValueError(
            f"log format version {str(version)[:20]} is not one this tutor reads (1 to {VERSION}); "
            "upgrade the tutor"
        )
    return version


def read_log(
    path: Path,
    known_items: Collection[str] | None = None,
    store: Store | None = None,
    labs: Collection[str] | None = None,
) -> ParsedLog:
    """Read and check a whole JSON-lines file; LogFormatError names the first bad line."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise LogFormatError(f"{path}: cannot read: {reason}") from None
    return parse_log(text, str(path), known_items, store, labs)


def parse_log(
    text: str,
    source: str,
    known_items: Collection[str] | None = None,
    store: Store | None = None,
    labs: Collection[str] | None = None,
) -> ParsedLog:
    """Check JSON lines read from `source` (a file or `<stdin>`); errors name it and the line.

    With `store`, overrides and undos may also target attempts already there. With `labs`,
    add-lab and remove-lab lines must name one of them."""
    latest = clock.now() + timedelta(days=1)
    entries: list[LogEntry] = []
    marks: list[MarkEntry] = []
    lines: dict[str, int] = {}
    positions: dict[str, LogEntry | MarkEntry] = {}
    version = 1
    first_line = True
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if first_line:
                first_line = False
                declared = _version(record)
                if declared is not None:
                    version = declared
                    continue
            entry = entry_from_dict(record, version, known_items, latest, labs)
        except RecursionError:
            raise LogFormatError(
                f"{source}:{number}: nested too deeply to be a log entry"
            ) from None
        except json.JSONDecodeError as exc:
            raise LogFormatError(f"{source}:{number}: not valid JSON ({exc.msg})") from None
        except ValueError as exc:
            raise LogFormatError(f"{source}:{number}: {exc}") from None
        if entry.uuid in lines:
            if positions[entry.uuid] != entry:
                raise LogFormatError(
                    f"{source}:{number}: uuid {entry.uuid} appears twice with different content"
                )
            continue
        lines[entry.uuid] = number
        positions[entry.uuid] = entry
        if isinstance(entry, MarkEntry):
            marks.append(entry)
        else:
            entries.append(entry)
    parsed = ParsedLog(source, entries, lines, marks)
    _check_targets(parsed, store)
    return parsed


def _check_targets(parsed: ParsedLog, store: Store | None) -> None:
    """Every override and undo names an attempt of the same item, in the file or already stored."""
    attempts = {entry.uuid: entry.item_id for entry in parsed.entries if entry.kind == "attempt"}
    for entry in parsed.entries:
        if entry.kind == "attempt":
            continue
        where = f"{parsed.source}:{parsed.lines[entry.uuid]}"
        item = attempts.get(entry.target)
        if item is None and store is not None:
            item = store.attempt_item(entry.target)
        if item is None:
            raise LogFormatError(
                f"{where}: this {entry.kind} targets {entry.target}, which is no attempt in the "
                "file or in your progress"
            )
        if item != entry.item_id:
            raise LogFormatError(
                f"{where}: this {entry.kind} is for {entry.item_id} but its target attempt is "
                f"for {item}"
            )


def import_log(
    store: Store,
    path: Path,
    known_items: Collection[str] | None = None,
    labs: Collection[str] | None = None,
) -> tuple[int, int]:
    """Check a JSON-lines log, then merge it in one transaction; (rows added, rows in file).

    Any bad line raises LogFormatError and nothing is imported."""
    return import_entries(store, read_log(path, known_items, store, labs))


def import_entries(store: Store, parsed: ParsedLog) -> tuple[int, int]:
    """Merge a checked log in one transaction; (rows added, rows given). LogFormatError (nothing
    imported) when an entry's UUID is already here with different content."""
    try:
        return store.import_entries(parsed.entries, parsed.marks), len(parsed)
    except ImportConflict as exc:
        raise LogFormatError(
            f"{parsed.source}:{parsed.lines.get(exc.uuid, 0)}: uuid {exc.uuid} is already in your "
            "progress with different content"
        ) from None
