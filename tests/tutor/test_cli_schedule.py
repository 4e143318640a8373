"""`tutor check` recording output, `--rating`, `undo`, `card`, suspend, and import's gate."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.recording import close_stores

RIGHT = ("1.ex11", "--answer", "3, 1")
WRONG = ("1.ex11", "--answer", "4, 1")


@pytest.fixture(autouse=True)
def isolated(tutor_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TZ", "UTC")
    yield tutor_env
    close_stores()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, _ = cli(capsys, "check", *args, "--json")
    assert code in (0, 1)
    return dict(json.loads(out))


def test_checks_within_a_sitting_are_one_showing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = check_json(capsys, *WRONG)
    assert first["rating_name"] == "Again" and first["attempt_in_showing"] == 1
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:10:00+00:00")
    second = check_json(capsys, *WRONG)
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T09:20:00+00:00")
    code, out, _ = cli(capsys, "check", *RIGHT)
    assert code == 0
    assert second["showing"] == first["showing"] and second["attempt_in_showing"] == 2
    assert f"Rated Hard (showing {str(first['showing'])[:8]}, attempt 3); schedule changed" in out
    code, out, _ = cli(capsys, "card", "1.ex11")
    assert code == 0 and "Reviews: 1; lapses: 0" in out
    assert "Hard   3 attempts" in out and "scheduled" in out


def test_text_says_when_a_pass_is_practice_and_when_a_fail_is_a_lapse(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(capsys, "check", *RIGHT)
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T15:00:00+00:00")
    _, out, _ = cli(capsys, "check", *RIGHT)
    assert "practice (the item was not due): schedule unchanged, next review tomorrow" in out
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T16:00:00+00:00")
    data = check_json(capsys, *WRONG)
    assert data["schedule_changed"] is True and data["was_due"] is False
    assert data["next_review"] == "in 15 minutes"


def test_rating_overrides_the_grade_and_undo_takes_back_only_the_cli_attempt(
    capsys: pytest.CaptureFixture[str], tutor_env: Path
) -> None:
    data = check_json(capsys, *RIGHT, "--rating", "easy")
    assert data["rating"] == 4 and data["rating_name"] == "Easy"
    # Another process (the app) logs a later attempt on another item.
    from tutor.practice.outcome import Attempt
    from tutor.recording import record_attempt
    from tutor.settings import load_settings

    record_attempt(load_settings(), Attempt("1.ex1", 0, True, 60.0, 180))
    code, out, _ = cli(capsys, "undo")
    assert code == 0
    assert out.startswith(
        f"Undid attempt {data['attempt']} on 1.ex11 made 2026-03-02 09:00 (rated Easy)."
    )
    assert "1.ex11 is new again" in out
    code, out, err = cli(capsys, "undo")
    assert code == 2 and "nothing here to undo" in err
    with sqlite3.connect(tutor_env / "progress.sqlite3") as conn:
        undone = conn.execute("SELECT target FROM log WHERE kind = 'undo'").fetchall()
    assert undone == [(data["attempt"],)]


def test_bad_rating_is_refused_before_grading(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["check", *RIGHT, "--rating", "5"])
    assert stop.value.code == 2
    assert "a rating is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)" in capsys.readouterr().err


def test_suspend_and_labs_stay_out_of_the_reviews(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(capsys, "check", *WRONG)
    monkeypatch.setenv("TUTOR_NOW", "2026-03-02T10:00:00+00:00")
    code, out, _ = cli(capsys, "due", "--json")
    assert [row["id"] for row in json.loads(out)["due"]] == ["1.ex11"]
    assert cli(capsys, "suspend", "1.ex11")[1].startswith("1.ex11 suspended")
    assert json.loads(cli(capsys, "due", "--json")[1])["due"] == []
    stats = json.loads(cli(capsys, "stats", "--json")[1])
    assert stats["due_now"] == 0 and sum(day["due"] for day in stats["forecast"]) == 0
    assert "Suspended: out of the reviews" in cli(capsys, "card", "1.ex11")[1]
    assert cli(capsys, "unsuspend", "1.ex11")[1] == "1.ex11 back in the reviews.\n"
    assert [row["id"] for row in json.loads(cli(capsys, "due", "--json")[1])["due"]] == ["1.ex11"]
    assert "out of the reviews until you add it" in cli(capsys, "card", "1.lab1")[1]
    assert cli(capsys, "unsuspend", "1.lab1")[1] == "1.lab1 added to the reviews.\n"
    code, _, err = cli(capsys, "suspend", "1.nope")
    assert code == 2 and "no exercise or lab is called '1.nope'" in err


GOOD = {
    "uuid": "6f1c1d1e-0000-4000-8000-000000000001",
    "kind": "attempt",
    "item_id": "1.ex1",
    "at": "2026-03-01T10:00:00+00:00",
    "rating": 3,
    "correct": True,
}


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({**GOOD, "at": "0001-01-01T00:00:00+00:00"}, "before 2000-01-01"),
        ({**GOOD, "at": "9999-12-31T23:59:59+00:00"}, "in the future"),
        ({**GOOD, "at": "2026-03-01T10:00:00+23:59"}, "beyond ±14 hours"),
        ({**GOOD, "utc_offset_min": 1_000_000}, "'utc_offset_min' must be between -840 and 840"),
        ({**GOOD, "variant": 10**30}, "a number of 31 digits"),
        ({**GOOD, "duration_ms": -5}, "'duration_ms' must be between 0"),
        ({**GOOD, "item_id": "9.ex99"}, "unknown item '9.ex99'"),
        ({**GOOD, "uuid": str(GOOD["uuid"]).upper()}, "not written canonically"),
        ({**GOOD, "tz": "Mars/Olympus"}, "not an IANA time zone"),
        (
            {
                **GOOD,
                "uuid": "6f1c1d1e-0000-4000-8000-000000000003",
                "kind": "undo",
                "target": "6f1c1d1e-0000-4000-8000-0000000000ff",
            },
            "no attempt in the file",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ({"format": "la4ml-tutor-log", "version": 9}, "version 9 is not one this tutor reads"),
    ],
)
def test_import_refuses_a_bad_line_with_file_line_and_why(
    capsys: pytest.CaptureFixture[str], tutor_env: Path, tmp_path: Path, bad: object, why: str
) -> None:
    path = tmp_path / "log.jsonl"
    line = bad if isinstance(bad, str) else json.dumps(bad)
    header = json.dumps({"format": "la4ml-tutor-log", "version": 2})
    second = json.dumps({**GOOD, "uuid": "6f1c1d1e-0000-4000-8000-000000000002"})
    lines, where = [header, json.dumps(GOOD), second, line], "log.jsonl:4: "
    if isinstance(bad, dict) and "format" in bad:
        lines, where = [line, json.dumps(GOOD), second], "log.jsonl:1: "
    path.write_text("\n".join(lines) + "\n")
    code, out, err = cli(capsys, "import", str(path))
    assert code == 2 and out == ""
    assert where in err and why in err and "nothing was imported" in err
    assert "Traceback" not in err
    code, out, _ = cli(capsys, "stats")
    assert code == 0 and "Attempts: 0" in out


def test_an_export_starts_with_its_version_and_imports_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(capsys, "check", *RIGHT)
    path = tmp_path / "log.jsonl"
    assert cli(capsys, "export", str(path))[0] == 0
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {"format": "la4ml-tutor-log", "version": 3}
    entry = json.loads(lines[1])
    assert entry["showing"] == "" and entry["par_s"] > 0 and entry["tz"] == "UTC"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "other"))
    code, out, _ = cli(capsys, "import", str(path))
    assert code == 0 and "Imported 1 new log entries of 1" in out


def test_stats_survive_a_log_an_old_import_let_in(
    capsys: pytest.CaptureFixture[str], tutor_env: Path
) -> None:
    cli(capsys, "check", *RIGHT)
    with sqlite3.connect(tutor_env / "progress.sqlite3") as conn:
        conn.execute(
            "INSERT INTO log (uuid, kind, item_id, at_us, rating, correct) VALUES "
            "('6f1c1d1e-0000-4000-8000-000000000009', 'attempt', '1.ex1', -62135596800000000, 3, 1)"
        )
    close_stores()
    code, out, err = cli(capsys, "stats")
    assert code == 0 and "Traceback" not in err and "Attempts: 1" in out


def test_a_leech_is_pointed_to_its_worked_solution_and_a_fresh_variant(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from progress.clock import parse_instant
    from tutor.recording import open_store
    from tutor.settings import load_settings

    store = open_store(load_settings())
    at = parse_instant("2025-09-01T09:00:00+00:00")
    for _ in range(2):  # learned: right, then right again the next study day
        at = store.record("1.ex11", variant=0, correct=True, rating=3, at=at, tz="UTC").due
    for lapse in range(7):  # seven lapses, each relearned; the check below is the eighth
        failed = store.record("1.ex11", variant=lapse, correct=False, rating=1, at=at, tz="UTC")
        relearned = failed.due
        at = store.record("1.ex11", variant=0, correct=True, rating=3, at=relearned, tz="UTC").due
    monkeypatch.setenv("TUTOR_NOW", at.isoformat())
    code, out, _ = cli(capsys, "check", *WRONG)
    assert code == 1
    assert "1.ex11 is a leech (it has lapsed 8 times or more): study its worked solution" in out
    assert "try a fresh variant: tutor show 1.ex11 --variant " in out
    assert "Worked solution:" in out
    assert "lapses: 8  LEECH: study the worked solution" in cli(capsys, "card", "1.ex11")[1]


def test_undo_without_a_uuid_says_whether_nothing_was_checked_or_it_is_already_undone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = cli(capsys, "undo")
    assert code == 2 and "`tutor check` has recorded nothing in this data dir" in err
    check_json(capsys, *WRONG)
    check_json(capsys, "1.ex7", "--answer", "1")
    assert cli(capsys, "undo")[0] == 0
    code, _, err = cli(capsys, "undo")
    # 1.ex11's check is still there: the message must not claim that nothing was checked.
    assert code == 2 and "the latest `tutor check` made here is already undone" in err
    assert "recorded nothing" not in err


def test_readme_scheduling_names_the_rating_key_the_hand_screen_binds() -> None:
    """The Scheduling rules say how to override a rating in the app: with the key actually bound."""
    from textual.binding import Binding

    from tutor.screens.hand_exercise import HandExerciseScreen

    key = next(
        b.key for b in HandExerciseScreen.BINDINGS if isinstance(b, Binding) and b.id == "hand-rate"
    )
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    scheduling = readme.split("### Scheduling", 1)[1].split("\n## ", 1)[0]
    assert f"`{key}` then `1`–`4` in the app" in scheduling
