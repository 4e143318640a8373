"""What a learner sees when suspensions and added labs travel between boxes, and from tutor undo."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.recording import close_stores

RIGHT = ("1.ex11", "--answer", "3, 1")
WRONG = ("1.ex11", "--answer", "4, 1")
HEADER_V3 = json.dumps({"format": "la4ml-tutor-log", "version": 3})
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(autouse=True)
def isolated(tutor_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TZ", "UTC")
    yield tutor_env
    close_stores()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def due_ids(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [row["id"] for row in json.loads(cli(capsys, "due", "--json")[1])["due"]]


def log_rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "progress.sqlite3") as conn:
        rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


def test_suspensions_and_added_labs_travel_to_another_box_and_back(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cli(capsys, "check", *WRONG)
    cli(capsys, "suspend", "1.ex11")
    cli(capsys, "unsuspend", "1.lab1")
    path = tmp_path / "a.jsonl"
    code, out, _ = cli(capsys, "export", str(path))
    assert code == 0
    assert out == f"Wrote 3 log entries (2 of them suspend or lab changes) to {path}.\n"
    kinds = [json.loads(line)["kind"] for line in path.read_text().splitlines()[1:]]
    assert kinds == ["attempt", "suspend", "add-lab"]
    code, piped, err = cli(capsys, "export", "-")
    assert piped.splitlines() == path.read_text().splitlines()
    assert "(2 of them suspend or lab changes)" in err

    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "box-b"))
    code, out, _ = cli(capsys, "import", str(path))
    assert code == 0
    assert out == (
        f"Imported 3 new log entries of 3 in {path}; 0 were already here.\n"
        "1.ex11 is now suspended.\n"
        "1.lab1 is now in the reviews.\n"
    )
    assert cli(capsys, "import", str(path))[1] == (
        f"Imported 0 new log entries of 3 in {path}; 3 were already here.\n"
    )
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T10:00:00+00:00")
    assert "1.ex11" not in due_ids(capsys)
    assert "Suspended: out of the reviews" in cli(capsys, "card", "1.ex11")[1]
    assert "out of the reviews until you add it" not in cli(capsys, "card", "1.lab1")[1]

    # Box B brings 1.ex11 back and drops the lab; box A takes that over.
    cli(capsys, "unsuspend", "1.ex11")
    cli(capsys, "suspend", "1.lab1")
    back = tmp_path / "b.jsonl"
    cli(capsys, "export", str(back))
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    code, out, _ = cli(capsys, "import", str(back))
    assert code == 0 and out.splitlines()[1:] == [
        "1.lab1 is now suspended.",
        "1.ex11 is no longer suspended.",
        "1.lab1 is out of the reviews again.",
    ]
    assert "1.ex11" in due_ids(capsys)
    assert "Suspended: out of the reviews" in cli(capsys, "card", "1.lab1")[1]


def test_a_version_2_export_still_imports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "old.jsonl"
    record = {
        "uuid": "6f1c1d1e-0000-4000-8000-000000000001",
        "kind": "attempt",
        "item_id": "1.ex1",
        "at": "2026-03-01T10:00:00+00:00",
        "rating": 3,
        "correct": True,
        "showing": "",
        "tz": "Europe/Berlin",
        "par_s": 120,
    }
    path.write_text(
        json.dumps({"format": "la4ml-tutor-log", "version": 2}) + "\n" + json.dumps(record) + "\n"
    )
    code, out, _ = cli(capsys, "import", str(path))
    assert code == 0 and out.startswith("Imported 1 new log entries of 1")


SUSPEND = {
    "uuid": "6f1c1d1e-0000-4000-8000-0000000000a1",
    "kind": "suspend",
    "item_id": "1.ex1",
    "at": "2026-03-01T10:00:00+00:00",
    "utc_offset_min": 60,
    "tz": "Europe/Berlin",
}


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({**SUSPEND, "item_id": "9.ex99"}, "unknown item '9.ex99'"),
        ({**SUSPEND, "kind": "add-lab"}, "add-lab is for labs, and 1.ex1 is an exercise"),
        ({**SUSPEND, "uuid": SUSPEND["uuid"].upper()}, "not written canonically"),
        ({**SUSPEND, "at": "1999-12-31T23:00:00+00:00"}, "before 2000-01-01"),
        ({**SUSPEND, "at": "2030-01-01T00:00:00+00:00"}, "in the future"),
        ({**SUSPEND, "rating": 3}, "unknown field 'rating' in a suspend line"),
        ({**SUSPEND, "utc_offset_min": 900}, "'utc_offset_min' must be a whole number between"),
        ({**SUSPEND, "tz": "Mars/Olympus"}, "not an IANA time zone"),
        ({**SUSPEND, "kind": "freeze"}, "kind must be one of attempt, override, undo, suspend"),
    ],
)
def test_import_refuses_a_bad_mark_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    tutor_env: Path,
    tmp_path: Path,
    bad: dict[str, object],
    why: str,
) -> None:
    path = tmp_path / "log.jsonl"
    good = {**SUSPEND, "uuid": "6f1c1d1e-0000-4000-8000-0000000000a2", "item_id": "1.ex2"}
    path.write_text("\n".join([HEADER_V3, json.dumps(good), json.dumps(bad)]) + "\n")
    code, out, err = cli(capsys, "import", str(path))
    assert code == 2 and out == "" and "Traceback" not in err
    assert "log.jsonl:3: " in err and why in err and "nothing was imported" in err
    assert "Suspended" not in cli(capsys, "card", "1.ex2")[1]
    assert log_rows(tutor_env, "SELECT * FROM mark_log") == []


def test_a_version_2_file_cannot_carry_mark_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "log.jsonl"
    header = json.dumps({"format": "la4ml-tutor-log", "version": 2})
    path.write_text(f"{header}\n{json.dumps(SUSPEND)}\n")
    code, _, err = cli(capsys, "import", str(path))
    assert code == 2 and "log.jsonl:2: kind must be one of attempt, override, undo, not" in err


def test_check_prints_the_uuid_that_undo_takes_and_undo_names_what_it_undid(
    capsys: pytest.CaptureFixture[str], tutor_env: Path
) -> None:
    code, out, _ = cli(capsys, "check", *RIGHT)
    assert code == 0
    (hint,) = [line for line in out.splitlines() if line.startswith("Not what you meant?")]
    assert UUID.fullmatch(hint.removeprefix("Not what you meant? tutor undo "))
    attempt = hint.rsplit(" ", 1)[1]
    assert log_rows(tutor_env, f"SELECT item_id FROM log WHERE uuid = '{attempt}'") == [("1.ex11",)]
    code, out, _ = cli(capsys, "undo", attempt.upper())
    assert code == 0
    assert out == (
        f"Undid attempt {attempt} on 1.ex11 made 2026-03-02 09:00 (rated Good).\n"
        "1.ex11 is new again: no review of it is in force.\n"
    )
    code, _, err = cli(capsys, "undo")
    assert code == 2 and f"attempt {attempt} on 1.ex11 is already undone" in err


def test_undo_of_a_showing_lists_every_attempt_it_took_back(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = json.loads(cli(capsys, "check", *WRONG, "--json")[1])
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:05:00+00:00")
    second = json.loads(cli(capsys, "check", *RIGHT, "--json")[1])
    assert second["showing"] == first["showing"]
    code, out, _ = cli(capsys, "undo", str(first["showing"]))
    assert code == 0
    assert out.splitlines()[:3] == [
        f"Undid showing {first['showing']} on 1.ex11, 2 attempts, the last made 2026-03-02 09:05 "
        f"(rated {second['rating_name']}):",
        f"  {first['attempt']}",
        f"  {second['attempt']}",
    ]


def test_undo_refuses_what_is_not_one_of_your_attempts(
    capsys: pytest.CaptureFixture[str], tutor_env: Path
) -> None:
    cli(capsys, "check", *RIGHT, "--rating", "easy")
    cli(capsys, "suspend", "1.ex1")
    (override,) = log_rows(tutor_env, "SELECT uuid FROM log WHERE kind = 'override'")[0]
    (suspend,) = log_rows(tutor_env, "SELECT uuid FROM mark_log")[0]
    cases = [
        (
            "6f1c1d1e-0000-4000-8000-0000000000ff",
            "no attempt or showing has UUID "
            "6f1c1d1e-0000-4000-8000-0000000000ff in this progress file",
        ),
        ("last-one", "'last-one' is not a UUID"),
        (override, f"{override} is a rating override on 1.ex11, not an attempt or a showing"),
        (suspend, f"{suspend} is a suspend change on 1.ex1, not an attempt or a showing"),
    ]
    for given, why in cases:
        code, out, err = cli(capsys, "undo", str(given))
        assert (code, out) == (2, "") and why in err and "Traceback" not in err
    assert log_rows(tutor_env, "SELECT COUNT(*) FROM log WHERE kind = 'undo'") == [(0,)]
    assert json.loads(cli(capsys, "card", "1.ex11", "--json")[1])["reviews"] == 1
