"""The session screens are given: progress before and after the store opens, recording, drafts,
navigation, and that building one costs nothing at start-up."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from progress.rating import Rating
from tutor.course.loader import Course, load_course
from tutor.practice.outcome import Attempt
from tutor.session import Session
from tutor.settings import Settings


@pytest.fixture(scope="module")
def course() -> Course:
    """The shipped course, loaded once."""
    return load_course()


@pytest.fixture
def session(settings: Settings, course: Course) -> Iterator[Session]:
    """A session on the test's own data dir, closed afterwards."""
    made = Session(settings, course)
    yield made
    made.close()


def test_before_the_store_opens_nothing_is_claimed(session: Session) -> None:
    assert not session.progress_open
    assert session.due_count() is None
    assert session.sections_read() == set()
    marks = session.marks()
    assert not marks.known and marks.mastery(["1.ex1"]) is None
    session.mark_read("1.1")  # before first paint: nothing to record it in yet
    session.open_progress()
    assert session.progress_open and session.sections_read() == set()


def test_recording_shows_in_the_marks_the_queue_and_can_be_undone(session: Session) -> None:
    session.open_progress()
    session.mark_read("1.2")
    recorded = session.record(Attempt("1.ex1", 0, False, duration_s=60.0, par_seconds=240))
    assert recorded.rating is Rating.Again
    marks = session.marks()
    assert marks.known and "1.2" in marks.read and "1.ex1" in marks.recall
    assert marks.mastery(["1.ex1", "1.ex2"]) is not None
    assert session.next_review_text() is not None
    hard = session.override(recorded.uuid, Rating.Hard)
    assert hard.uuid == recorded.uuid and hard.rating is Rating.Hard
    session.undo(recorded.uuid)
    assert "1.ex1" not in session.marks().recall


def test_drafts_round_trip_and_navigation_goes_to_the_app(session: Session, course: Course) -> None:
    assert session.load_draft("1.ex14") is None
    session.save_draft("1.ex14", "def f():\n    return 1\n")
    assert session.load_draft("1.ex14") == "def f():\n    return 1\n"
    session.open_item("1.1")  # no app to navigate: nothing happens
    opened: list[str] = []
    Session(session.settings, course, navigate=opened.append).open_item("1.ex14")
    assert opened == ["1.ex14"]


def test_a_session_imports_no_store_fsrs_or_kernel_until_used(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tutor.session import Session\n"
        "from tutor.settings import Settings\n"
        f"Session(Settings(data_dir=Path({str(tmp_path)!r})))\n"
        "heavy = ('progress.store', 'sqlite3', 'fsrs', 'checkers.kernel', 'numpy', 'sympy')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
