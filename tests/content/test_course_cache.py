"""The course cache: used when nothing changed, never stale, never a crash, never for validate."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from tutor.cli import main
from tutor.course.loader import ContentError, Course, cache_file_for, load_course

OLD_NS = 1_600_000_000 * 10**9
"""An mtime long past: content this old counts as settled, so it is cached."""


def age(root: Path, mtime_ns: int = OLD_NS) -> None:
    """Give every file under `root` one old mtime (files just copied are too fresh to cache)."""
    for path in root.rglob("*"):
        os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def course_copy(tmp_path: Path, mini_course: Path) -> Path:
    """A settled copy of the mini course that a test may edit."""
    root = tmp_path / "content"
    shutil.copytree(mini_course, root)
    age(root)
    return root


def summary(course: Course) -> list[object]:
    """Everything the loader produces that the app reads."""
    return [(c.folder, c.meta, c.sections, c.exercises, c.labs) for c in course.chapters]


def test_a_settled_course_is_cached_and_read_back_identical(
    course_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = load_course(course_copy, cache_dir=cache)
    assert cache_file_for(course_copy, cache).is_file()
    again = load_course(course_copy, cache_dir=cache)
    assert summary(again) == summary(first) == summary(load_course(course_copy))
    assert again.find("1.ex1")[1].title == "Norms"
    assert again.chapters[0].folder == course_copy / "ch1"


def test_a_cache_hit_never_imports_yaml(course_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_course(course_copy, cache_dir=cache)
    probe = (
        "import sys; from pathlib import Path; from tutor.course.loader import load_course; "
        f"c = load_course(Path({str(course_copy)!r}), cache_dir=Path({str(cache)!r})); "
        "print(len(c.ids()), 'yaml' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(len(load_course(course_copy).ids())), "False"]


def test_fresh_content_is_not_cached(course_copy: Path, tmp_path: Path) -> None:
    # Written within the last two seconds: a same-size edit in the same mtime tick could hide.
    (course_copy / "ch1" / "labs.yaml").touch()
    load_course(course_copy, cache_dir=tmp_path / "cache")
    assert not cache_file_for(course_copy, tmp_path / "cache").exists()


def _retitle(root: Path) -> None:
    path = root / "ch1" / "hand_exercises.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Norms", "title: Nurms"), encoding="utf-8")  # same size


def _retitle_keep_mtime_old(root: Path) -> None:
    _retitle(root)
    path = root / "ch1" / "hand_exercises.yaml"
    os.utime(path, ns=(OLD_NS + 1, OLD_NS + 1))  # a different, still settled, mtime


def _retitle_longer(root: Path) -> None:
    path = root / "ch1" / "hand_exercises.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Norms", "title: Vector norms"))
    os.utime(path, ns=(OLD_NS, OLD_NS))  # same mtime: only the size tells


def _add_section(root: Path) -> None:
    chapter = root / "ch1" / "chapter.yaml"
    text = chapter.read_text(encoding="utf-8")
    last = "  - sections/1.3.yaml"
    chapter.write_text(text.replace(last, f"{last}\n  - sections/1.4.yaml"), encoding="utf-8")
    section = (root / "ch1" / "sections" / "1.3.yaml").read_text(encoding="utf-8")
    new = section.replace('id: "1.3"', 'id: "1.4"').replace("Singular value decomposition", "Nurms")
    (root / "ch1" / "sections" / "1.4.yaml").write_text(new, encoding="utf-8")


def _remove_lab(root: Path) -> None:
    (root / "ch1" / "labs.yaml").unlink()


def _title(course: Course, item_id: str) -> str | None:
    return course.find(item_id)[1].title if item_id in course.ids() else None


EDITS: list[tuple[str, Callable[[Path], None], Callable[[Course], bool]]] = [
    ("same-size edit", _retitle, lambda c: _title(c, "1.ex1") == "Nurms"),
    ("edit with an old mtime", _retitle_keep_mtime_old, lambda c: _title(c, "1.ex1") == "Nurms"),
    ("size change, same mtime", _retitle_longer, lambda c: _title(c, "1.ex1") == "Vector norms"),
    ("new section file", _add_section, lambda c: _title(c, "1.4") == "Nurms"),
    ("deleted labs file", _remove_lab, lambda c: "1.lab1" not in c.ids()),
]


@pytest.mark.parametrize(
    ("edit", "shows"), [(e, s) for _, e, s in EDITS], ids=[name for name, _, _ in EDITS]
)
def test_every_content_change_shows_at_once(
    course_copy: Path, tmp_path: Path, edit: Callable[[Path], None], shows: Callable[[Course], bool]
) -> None:
    cache = tmp_path / "cache"
    before = load_course(course_copy, cache_dir=cache)
    assert not shows(before)
    edit(course_copy)
    assert shows(load_course(course_copy, cache_dir=cache))
    age(course_copy, OLD_NS + 10**9)  # settled again: the new course is cached and read back
    assert shows(load_course(course_copy, cache_dir=cache))
    assert shows(load_course(course_copy, cache_dir=cache))


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xffnot msgpack at all")


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:200])


def _wrong_shape(path: Path) -> None:
    key = msgspec.msgpack.decode(path.read_bytes())["key"]
    bad = {"key": key, "chapters": [{"folder": "ch1", "meta": 7}]}
    path.write_bytes(msgspec.msgpack.encode(bad))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _unreadable(path: Path) -> None:
    path.unlink()
    path.mkdir()  # reading a directory fails with an OSError


@pytest.mark.parametrize("damage", [_garbage, _truncated, _wrong_shape, _empty, _unreadable])
def test_a_damaged_cache_falls_back_to_yaml(
    course_copy: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    cache = tmp_path / "cache"
    expected = summary(load_course(course_copy, cache_dir=cache))
    damage(cache_file_for(course_copy, cache))
    assert summary(load_course(course_copy, cache_dir=cache)) == expected
    assert summary(load_course(course_copy, cache_dir=cache)) == expected


def test_an_unwritable_cache_dir_only_means_no_cache(course_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would go")
    assert "1.ex1" in load_course(course_copy, cache_dir=blocker).ids()


def test_a_broken_course_is_never_cached(broken_course: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for _ in range(2):
        with pytest.raises(ContentError):
            load_course(broken_course, cache_dir=cache)
    assert not cache.exists() or not any(cache.iterdir())


def test_validate_reads_the_yaml_even_with_a_matching_cache(
    course_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cache claiming the course is fine does not hide a YAML problem from `tutor validate`."""
    data_dir = tmp_path / "data"
    cache = data_dir / "cache"
    load_course(course_copy, cache_dir=cache)
    good = cache_file_for(course_copy, cache).read_bytes()
    path = course_copy / "ch1" / "hand_exercises.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Norms", "titel: Norms"))
    age(course_copy)
    # Forge the cache so its key matches the broken content: the app would now trust it.
    forged = msgspec.msgpack.decode(good)
    from tutor.course.loader import content_key

    forged["key"] = content_key(course_copy)[0]
    cache_file_for(course_copy, cache).write_bytes(msgspec.msgpack.encode(forged))
    assert "1.ex1" in load_course(course_copy, cache_dir=cache).ids()
    code = main(["validate", str(course_copy), "--data-dir", str(data_dir)])
    assert code == 1
    assert "unknown key 'titel'" in capsys.readouterr().err
