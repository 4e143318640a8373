"""The app can tell that its own files changed under it (a reinstall or update while it runs)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tutor.installation import FILES_CHANGED, InstallSnapshot, package_roots


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    root = tmp_path / "site" / "content"
    (root / "ch1").mkdir(parents=True)
    (root / "__init__.py").write_text("", encoding="utf-8")
    (root / "ch1" / "hand.py").write_text("def answer():\n    return 1\n", encoding="utf-8")
    (root / "ch1" / "sections.yaml").write_text("[]\n", encoding="utf-8")
    return root


def test_an_untouched_installation_has_not_changed(installed: Path) -> None:
    snapshot = InstallSnapshot.take([installed])
    assert snapshot.changed() == []


def test_python_writing_its_bytecode_cache_is_not_a_change(installed: Path) -> None:
    snapshot = InstallSnapshot.take([installed])
    (installed / "ch1" / "__pycache__").mkdir()
    (installed / "ch1" / "__pycache__" / "hand.cpython-311.pyc").write_bytes(b"\0")
    assert snapshot.changed() == []


def test_a_removed_reference_module_is_a_change(installed: Path) -> None:
    snapshot = InstallSnapshot.take([installed])
    (installed / "ch1" / "hand.py").unlink()
    assert snapshot.changed() == [installed / "ch1"]


def test_a_reinstall_that_replaces_the_folder_is_a_change(installed: Path, tmp_path: Path) -> None:
    snapshot = InstallSnapshot.take([installed])
    copy = tmp_path / "new"
    shutil.copytree(installed, copy)
    shutil.rmtree(installed)
    copy.rename(installed)
    assert set(snapshot.changed()) == {installed, installed / "ch1"}


def test_a_rewritten_file_is_a_change(installed: Path) -> None:
    snapshot = InstallSnapshot.take([installed])
    hand = installed / "ch1" / "hand.py"
    replacement = installed / "ch1" / "hand.py.new"
    replacement.write_text("def answer():\n    return 2\n", encoding="utf-8")
    replacement.replace(hand)
    assert snapshot.changed() == [installed / "ch1"]


def test_the_packages_and_course_of_this_checkout_are_watched() -> None:
    names = {root.name for root in package_roots()}
    assert names == {"tutor", "checkers", "progress", "content"}
    snapshot = InstallSnapshot.take(package_roots())
    assert any(folder.name == "ch1" for folder in snapshot.stamps)
    assert snapshot.changed() == []


def course_copy(tmp_path: Path) -> Path:
    from content import CONTENT_DIR

    copy = tmp_path / "course"
    shutil.copytree(CONTENT_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


async def test_opening_an_exercise_after_a_reinstall_says_so_and_stays(
    make_app: Callable[..., Any], tmp_path: Path
) -> None:
    from tutor.screens.home import HomeScreen

    copy = course_copy(tmp_path)
    app = make_app(content_dir=copy)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        (copy / "ch1" / "hand.py").unlink()  # what a reinstall did under the running app
        app.open_item("1.ex1")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        messages = [notification.message for notification in app._notifications]
        assert any(message == FILES_CHANGED for message in messages), messages


async def test_a_failure_after_a_reinstall_ends_with_words_not_a_traceback(
    make_app: Callable[..., Any], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    copy = course_copy(tmp_path)
    app = make_app(content_dir=copy)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shutil.rmtree(copy / "ch1")
        app.call_later(app.session.course.chapters[0].module, "hand")
        for _ in range(100):  # the app ends: no pilot pause can wait on its screen any more
            if app.return_code is not None:
                break
            await asyncio.sleep(0.02)
    assert app.return_code == 1
    printed = capfd.readouterr().err
    assert " ".join(printed.split()) == FILES_CHANGED and "Traceback" not in printed
