"""Durability: concurrent writers, kill -9 mid-write, newer schemas, damaged files, network file
systems."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from progress.fsdetect import filesystem_type, is_network_filesystem
from progress.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError

WRITERS = 20
PER_WRITER = 5


def _writer(path: str, index: int) -> None:
    store = Store.open(Path(path))
    for attempt in range(PER_WRITER):
        store.record(
            f"1.ex{index % 7 + 1}",
            variant=attempt,
            correct=attempt % 2 == 0,
            rating=3 - attempt % 2 * 2,
        )
    store.close()


def test_twenty_processes_recording_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(path), index)) for index in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0] * WRITERS
    with Store.open(path) as store:
        assert store.log_count() == WRITERS * PER_WRITER
        assert store.integrity_ok()
        assert (
            sum(store.item_state(f"1.ex{n}").attempts for n in range(1, 8)) == WRITERS * PER_WRITER
        )


WRITE_LOOP = """
import sys
from pathlib import Path
from progress.store import Store
store = Store.open(Path(sys.argv[1]))
n = 0
while True:
    result = store.record(
        f"1.ex{n % 5 + 1}", variant=n, correct=n % 3 != 0, rating=3 if n % 3 else 1
    )
    store.save_draft("1.ex13", "x = %d" % n)
    print(result.uuid, flush=True)
    n += 1
"""


def test_kill_9_during_writes_keeps_every_committed_attempt(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    committed: list[str] = []
    for round_number in range(4):
        process = subprocess.Popen(
            [sys.executable, "-c", WRITE_LOOP, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        committed.append(process.stdout.readline().strip())
        time.sleep(0.05 + 0.07 * round_number)
        os.kill(process.pid, signal.SIGKILL)
        committed.extend(
            line.strip() for line in process.stdout.read().splitlines() if line.strip()
        )
        process.wait()
    with Store.open(path) as store:
        assert store.integrity_ok()
        logged = {entry.uuid for entry in store.entries()}
        assert set(committed) <= logged
        assert len(committed) >= 4
        assert store.rebuild() >= 1


def test_a_newer_schema_is_refused_and_left_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of the tutor") as caught:
        Store.open(path)
    assert "was not changed" in str(caught.value)
    assert path.read_bytes() == before


V2_ROWS = [
    # uuid, kind, item_id, at_us, utc_offset_min, variant, correct, rating, hints, attempts, ms,
    # gave_up, target: what a version-2 tutor logged (no showing, zone or par time).
    (
        f"6f1c1d1e-0000-4000-8000-00000000000{n}",
        "attempt",
        f"1.ex{n}",
        1_772_445_600_000_000 + n,
        60,
        n,
        n % 2,
        3 if n % 2 else 1,
        0,
        1,
        90_000,
        0,
        "",
    )
    for n in range(1, 7)
]


def _old_file(path: Path, version: int) -> None:
    """The progress file a version-`version` tutor wrote, with six attempts in its log."""
    conn = sqlite3.connect(path)
    for target in range(1, version + 1):
        for statement in MIGRATIONS[target]:
            conn.execute(statement)
    conn.executemany(f"INSERT INTO log VALUES ({','.join('?' * 13)})", V2_ROWS)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_file_is_upgraded_in_place_and_keeps_its_progress(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "progress.sqlite3"
    _old_file(path, version)
    with Store.open(path) as store:
        entries = store.entries()
        assert [entry.uuid for entry in entries] == [row[0] for row in V2_ROWS]
        assert {(entry.showing, entry.tz, entry.par_s) for entry in entries} == {("", "", 0)}
        # Each old attempt is a showing of its own, replayed in its fixed UTC offset.
        assert all(len(store.item_state(entry.item_id).showings) == 1 for entry in entries)
        assert len(store.due_times()) == 6
        store.set_mark("1.ex1", "suspended", True)
        assert store.suspended() == {"1.ex1"}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        indexes = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT item_id FROM cards WHERE card IS NOT NULL AND due_us < "
            "1 ORDER BY due_us"
        ).fetchall()
    conn.close()
    assert "cards_review" in indexes and "cards_review" in str(plan)


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database, just text\n" * 100)


def _damaged_pages(path: Path) -> None:
    with Store.open(path) as store:
        for n in range(400):
            store.record(f"1.ex{n % 9}", variant=n, correct=True, rating=3)
    data = bytearray(path.read_bytes())
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    page = 4096
    for offset in range(page * 2, len(data) - page, page * 3):
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_garbage, _damaged_pages], ids=["not-sqlite", "damaged-pages"])
def test_a_damaged_file_gives_a_clear_error_and_a_kept_backup(tmp_path: Path, damage) -> None:
    path = tmp_path / "progress.sqlite3"
    damage(path)
    original = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert "damaged" in message and "Traceback" not in message
    backups = list(tmp_path.glob("progress.sqlite3.damaged-*"))
    assert len(backups) == 1 and str(backups[0]) in message
    assert backups[0].read_bytes() == original
    with Store.open(path) as fresh:
        assert fresh.log_count() == 0


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export/home /home nfs4 rw,relatime 0 0
//nas/share /mnt/nas cifs rw 0 0
/dev/sdb1 /home/local\\040disk ext4 rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "kind", "network"),
    [
        ("/home/ada/.local/share/tutor", "nfs4", True),
        ("/mnt/nas/tutor", "cifs", True),
        ("/home/local disk/tutor", "ext4", False),
        ("/var/tmp", "ext4", False),
    ],
)
def test_network_file_systems_are_recognised(path: str, kind: str, network: bool) -> None:
    assert filesystem_type(Path(path), MOUNTS) == kind
    assert is_network_filesystem(Path(path), MOUNTS) is network


def test_local_disk_uses_wal_and_network_disk_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(tmp_path / "local.sqlite3") as store:
        assert store.journal_mode() == "wal"
    monkeypatch.setattr("progress.database.is_network_filesystem", lambda path: True)
    with Store.open(tmp_path / "nfs.sqlite3") as store:
        assert store.journal_mode() == "delete"
        store.record("1.ex1", variant=1, correct=True, rating=3)
    assert not (tmp_path / "nfs.sqlite3-wal").exists()


def test_sections_drafts_and_settings_persist(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "progress.sqlite3"
    with Store.open(path) as store:
        store.mark_section_read("1.2")
        store.mark_section_read("1.2")
        store.save_draft("1.ex13", "def f():\n    return 1\n")
        store.set_setting("theme", "nord")
    with Store.open(path) as store:
        assert store.sections_read() == {"1.2"}
        assert store.load_draft("1.ex13") == "def f():\n    return 1\n"
        assert store.load_draft("1.ex14") is None
        assert store.get_setting("theme") == "nord"


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the progress folder"):
        Store.open(blocker / "sub" / "progress.sqlite3")
