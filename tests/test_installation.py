"""The app can tell that its own files changed under it (a reinstall or update while it runs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutor.installation import InstallSnapshot, package_roots


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
