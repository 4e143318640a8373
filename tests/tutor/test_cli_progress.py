"""`tutor due/stats/export/import` as a learner uses them, and two simulated weeks of study."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from progress.clock import now, parse_instant
from tutor.cli import main
from tutor.course.loader import load_course
from tutor.practice.outcome import Attempt
from tutor.recording import close_stores, course_items, open_store, record_attempt
from tutor.settings import load_settings

START = parse_instant("2026-03-02T08:00:00+01:00")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TUTOR_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TZ", "Europe/Berlin")
    import time

    time.tzset()
    yield
    close_stores()
    monkeypatch.undo()
    time.tzset()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def study_two_weeks(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, first_day: int = 0, days: int = 14
) -> int:
    """Each morning, run the day's review queue; every third answer is wrong. Returns attempts
    made."""
    settings = load_settings(config_file=data_dir / "none.toml", environ={}, data_dir=str(data_dir))
    order = course_items(load_course())
    made = 0
    for day in range(first_day, first_day + days):
        monkeypatch.setenv("TUTOR_NOW", (START + timedelta(days=day)).isoformat())
        store = open_store(settings)
        queue = store.review_queue(order, settings.new_per_day, settings.reviews_per_day, now())
        if day > first_day:
            assert any(not entry.new for entry in queue), f"day {day}: nothing came back for review"
        for n, entry in enumerate(queue):
            monkeypatch.setenv(
                "TUTOR_NOW", (START + timedelta(days=day, minutes=2 * n)).isoformat()
            )
            correct = (day + n) % 3 != 0
            variant = store.next_variant(entry.item_id)
            assert variant not in store.used_variants(entry.item_id)
            record_attempt(settings, Attempt(entry.item_id, variant, correct, 60.0, 180))
            made += 1
    return made


def test_two_weeks_of_study_move_to_another_dir_and_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home, laptop = tmp_path / "home", tmp_path / "laptop"
    made = study_two_weeks(home, monkeypatch)
    monkeypatch.setenv("TUTOR_NOW", (START + timedelta(days=15)).isoformat())
    code, out, _ = cli(capsys, "export", str(tmp_path / "log.jsonl"), "--data-dir", str(home))
    assert code == 0 and f"Wrote {made} log entries" in out
    code, out, _ = cli(capsys, "import", str(tmp_path / "log.jsonl"), "--data-dir", str(laptop))
    assert code == 0 and f"Imported {made} new log entries" in out
    due_home = json.loads(cli(capsys, "due", "--json", "--data-dir", str(home))[1])
    due_laptop = json.loads(cli(capsys, "due", "--json", "--data-dir", str(laptop))[1])
    assert due_home == due_laptop and due_home["due"]
    assert all(row["section"] for row in due_home["due"])
    retrievability = [row["retrievability"] for row in due_home["due"]]
    assert all(0 <= value <= 1 for value in retrievability)

    more = study_two_weeks(laptop, monkeypatch, first_day=15, days=2)
    cli(capsys, "export", str(tmp_path / "back.jsonl"), "--data-dir", str(laptop))
    code, out, _ = cli(capsys, "import", str(tmp_path / "back.jsonl"), "--data-dir", str(home))
    assert f"Imported {more} new log entries" in out
    stats_home = json.loads(cli(capsys, "stats", "--json", "--data-dir", str(home))[1])
    stats_laptop = json.loads(cli(capsys, "stats", "--json", "--data-dir", str(laptop))[1])
    assert stats_home == stats_laptop
    assert stats_home["attempts"] == made + more
    assert stats_home["streak_days"] == 2
    assert len(stats_home["forecast"]) == 14
    assert stats_home["true_retention"] is not None and 0 < stats_home["true_retention"] < 1
    assert set(stats_home["mastery"]) >= {"1.1", "1.2"}


def test_due_and_stats_on_a_fresh_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "due", "--data-dir", str(tmp_path))
    assert code == 0 and "Nothing is due" in out and "new exercise(s) available today" in out
    code, out, _ = cli(capsys, "stats", "--data-dir", str(tmp_path))
    assert code == 0 and "Attempts: 0" in out and "Mastery per section" in out


def test_optimize_explains_it_needs_more_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "stats", "--optimize", "--data-dir", str(tmp_path))
    assert code == 2 and "needs at least 512 reviews" in err


def test_a_damaged_progress_file_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "progress.sqlite3").write_text("garbage" * 100)
    code, _, err = cli(capsys, "due", "--data-dir", str(tmp_path))
    assert code == 2 and "is damaged" in err and "Traceback" not in err
    assert list(tmp_path.glob("progress.sqlite3.damaged-*"))


def test_import_of_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "import", str(tmp_path / "nope.jsonl"), "--data-dir", str(tmp_path))
    assert code == 2 and "cannot read" in err and "nothing was imported" in err
